"""`python -m k8s.validate` accepts what k8s/ renders today and rejects what Kubernetes or Argo would reject."""

from __future__ import annotations

import copy

import pytest

from k8s.manifests import TARGETS, Manifest, render
from k8s.validate import Validator, checkov_view, cluster_kubernetes_version, main


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(kubernetes_version=cluster_kubernetes_version())


@pytest.fixture(scope="module")
def prod() -> dict[tuple[str, str], Manifest]:
    return {(d["kind"], d["metadata"]["name"]): d for d in render("overlays/prod")}


def errors_after(validator: Validator, document: Manifest) -> list[str]:
    return list(validator.errors(document))


def test_given_every_target_when_validated_then_it_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    report = capsys.readouterr().out
    assert all(f"k8s/{target}:" in report for target in TARGETS)
    assert "k8s validation passed" in report


def test_given_a_misspelt_blue_green_key_then_the_rollout_schema_rejects_it(
    validator: Validator, prod: dict[tuple[str, str], Manifest]
) -> None:
    rollout = copy.deepcopy(prod[("Rollout", "order")])
    rollout["spec"]["strategy"]["blueGreen"]["autoPromotionEnable"] = True
    assert any("autoPromotionEnable" in e for e in errors_after(validator, rollout))


def test_given_a_rollout_pod_template_with_an_unknown_field_then_the_kubernetes_schema_rejects_it(
    validator: Validator, prod: dict[tuple[str, str], Manifest]
) -> None:
    rollout = copy.deepcopy(prod[("Rollout", "order")])
    rollout["spec"]["template"]["spec"]["containers"][0]["securityContxt"] = {}
    assert any("securityContxt" in e for e in errors_after(validator, rollout))


def test_given_an_analysis_without_a_sigv4_region_then_it_is_rejected(
    validator: Validator, prod: dict[tuple[str, str], Manifest]
) -> None:
    template = copy.deepcopy(prod[("AnalysisTemplate", "order-health")])
    del template["spec"]["metrics"][0]["provider"]["prometheus"]["authentication"]["sigv4"]["region"]
    assert any("'region' is a required property" in e for e in errors_after(validator, template))


def test_given_a_namespaced_ingress_class_params_then_placement_is_rejected(
    validator: Validator, prod: dict[tuple[str, str], Manifest]
) -> None:
    params = copy.deepcopy(prod[("IngressClassParams", "tlj-alb")])
    params["metadata"]["namespace"] = "tlj"
    assert any("cluster-scoped" in e for e in errors_after(validator, params))


def test_given_a_value_the_overlay_did_not_fill_in_then_it_is_reported(
    validator: Validator, prod: dict[tuple[str, str], Manifest]
) -> None:
    rollout = copy.deepcopy(prod[("Rollout", "login")])
    rollout["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "from-settings"
    assert any("did not fill in" in e for e in errors_after(validator, rollout))


def test_given_a_kind_without_any_schema_then_it_is_an_error_not_a_warning(validator: Validator) -> None:
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "tlj"}}
    assert any("no schema" in e for e in errors_after(validator, unknown))


def test_given_a_rollout_then_checkov_also_sees_its_pod_template_as_a_deployment(
    prod: dict[tuple[str, str], Manifest],
) -> None:
    rollout = prod[("Rollout", "order")]
    view = checkov_view([rollout])
    assert [d["kind"] for d in view] == ["Rollout", "Deployment"]
    assert view[1]["spec"]["template"] == rollout["spec"]["template"]
