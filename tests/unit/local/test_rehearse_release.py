"""Reading the order release from rendered manifests: templates flattened and args merged as Argo Rollouts does,
``{{args.*}}`` substituted, durations scaled, and what the rehearsal cannot run faithfully refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from local.conditions import ConditionError
from local.rehearse import decide
from local.release import ReleaseError, argument_values, build_metrics, read_release, render, substitute

QUERY = 'sum(rate(http_requests_total{rollouts_pod_template_hash="{{ args.preview-hash }}"}[2m]))'


def manifests(**blue_green: Any) -> list[dict[str, Any]]:
    rollout = {
        "kind": "Rollout",
        "metadata": {"name": "order", "namespace": "tlj"},
        "spec": {
            "strategy": {
                "blueGreen": {
                    "activeService": "order",
                    "previewService": "order-preview",
                    "prePromotionAnalysis": {
                        "templates": [{"templateName": "smoke"}, {"templateName": "health"}],
                        "args": [
                            {"name": "preview-hash", "valueFrom": {"podTemplateHashValue": "Latest"}},
                            {"name": "order-url", "value": "http://order-preview.tlj.svc.cluster.local"},
                        ],
                    },
                    **blue_green,
                }
            },
            "template": {
                "metadata": {"labels": {"app": "order"}, "annotations": {"prometheus.io/port": "9090"}},
                "spec": {"containers": [{"name": "order", "readinessProbe": {"httpGet": {"path": "/readyz"}}}]},
            },
        },
    }
    smoke = {
        "kind": "AnalysisTemplate",
        "metadata": {"name": "smoke", "namespace": "tlj"},
        "spec": {
            "args": [{"name": "order-url"}, {"name": "hold-seconds", "value": "420"}],
            "metrics": [{"name": "smoke", "provider": {"job": {"spec": {"x": "{{args.order-url}}"}}}}],
        },
    }
    health = {
        "kind": "AnalysisTemplate",
        "metadata": {"name": "health", "namespace": "tlj"},
        "spec": {
            "args": [{"name": "preview-hash"}],
            "metrics": [
                {
                    "name": "rate",
                    "initialDelay": "120s",
                    "interval": "1m",
                    "count": "5",
                    "failureLimit": 1,
                    "successCondition": "len(result) > 0 && result[0] >= 0.5",
                    "provider": {"prometheus": {"query": QUERY}},
                }
            ],
        },
    }
    return [rollout, smoke, health, {"kind": "Service", "metadata": {"name": "order"}}]


def test_given_two_templates_then_metrics_are_concatenated_and_args_merged_with_the_rollouts() -> None:
    release = read_release(manifests())
    assert [m["name"] for m in release.raw_metrics] == ["smoke", "rate"]
    assert release.templates == ("smoke", "health")
    values = argument_values(release, preview_hash="abc123", stable_hash="old456")
    assert values == {
        "order-url": "http://order-preview.tlj.svc.cluster.local",
        "hold-seconds": "420",
        "preview-hash": "abc123",  # podTemplateHashValue Latest: the new ReplicaSet's hash
    }


def test_given_args_then_every_string_of_a_metric_is_substituted_and_durations_scaled() -> None:
    release = read_release(manifests())
    args = argument_values(release, preview_hash="abc123", stable_hash="old456")
    smoke, rate = build_metrics(release.raw_metrics, args, scale=0.25)
    assert smoke.spec == {"spec": {"x": "http://order-preview.tlj.svc.cluster.local"}}
    assert rate.spec["query"] == 'sum(rate(http_requests_total{rollouts_pod_template_hash="abc123"}[2m]))'
    # durations scaled, counts as IntOrString, the rate window untouched (the query is verbatim)
    assert (rate.initial_delay_s, rate.interval_s, rate.count, rate.failure_limit) == (30.0, 15.0, 5, 1)


def test_given_an_argument_no_one_supplies_then_the_release_is_refused() -> None:
    documents = manifests()
    documents[0]["spec"]["strategy"]["blueGreen"]["prePromotionAnalysis"]["args"].pop(1)
    with pytest.raises(ReleaseError, match=r"args\.order-url was not resolved"):
        read_release(documents)


def test_given_an_unknown_tag_then_substitution_fails_as_argo_would() -> None:
    with pytest.raises(ReleaseError, match=r"failed to resolve \{\{args.nope\}\}"):
        substitute({"query": "x{{args.nope}}"}, {"preview-hash": "a"})


def read_and_build(documents: list[dict[str, Any]]) -> None:
    release = read_release(documents)
    build_metrics(release.raw_metrics, argument_values(release, preview_hash="a", stable_hash="b"), scale=1)


def health_metric(documents: list[dict[str, Any]]) -> dict[str, Any]:
    metric: dict[str, Any] = documents[2]["spec"]["metrics"][0]
    return metric


def swap_provider(documents: list[dict[str, Any]]) -> None:
    health_metric(documents)["provider"] = {"datadog": {"query": "x"}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d[1]["spec"]["metrics"][0]["provider"].update({"web": {}}), "provider job, web is not supported"),
        (swap_provider, "provider datadog is not supported"),
        (lambda d: health_metric(d).update({"successCondition": "result[0] < 1 < 2"}), "chained comparison"),
        (lambda d: health_metric(d).update({"interval": "1 minute"}), "invalid duration"),
        (lambda d: health_metric(d)["provider"]["prometheus"].update({"rangeQuery": {"step": "1m"}}), "rangeQuery"),
        (lambda d: d[1]["spec"]["metrics"].append({"name": "rate"}), "two metrics have the same name 'rate'"),
        (lambda d: d[0]["spec"]["strategy"]["blueGreen"]["prePromotionAnalysis"]["templates"].append(
            {"templateName": "missing"}), "AnalysisTemplate 'missing'"),
        (lambda d: d[1]["spec"]["args"].append({"name": "hold-seconds", "value": "60"}), "different values"),
    ],
)  # fmt: skip
def test_given_what_the_rehearsal_cannot_run_faithfully_then_it_is_refused(change: Any, message: str) -> None:
    documents = copy.deepcopy(manifests())
    change(documents)
    with pytest.raises((ReleaseError, ConditionError), match=message):
        read_and_build(documents)


def test_given_a_rollout_without_pre_promotion_analysis_then_there_is_nothing_to_rehearse() -> None:
    documents = manifests()
    del documents[0]["spec"]["strategy"]["blueGreen"]["prePromotionAnalysis"]
    with pytest.raises(ReleaseError, match="no prePromotionAnalysis"):
        read_release(documents)


@pytest.mark.parametrize(
    ("blue_green", "auto"),
    [({}, True), ({"autoPromotionEnabled": True}, True), ({"autoPromotionEnabled": False}, False)],
)
def test_given_auto_promotion_settings_then_a_successful_run_promotes_only_when_not_disabled(
    blue_green: dict[str, Any], auto: bool
) -> None:
    release = read_release(manifests(**blue_green))
    assert release.auto_promotion is auto
    assert decide("Successful", auto_promotion=release.auto_promotion) == ("promote" if auto else "paused")


@pytest.mark.parametrize(
    ("phase", "decision"),
    [("Failed", "abort"), ("Error", "abort"), ("Inconclusive", "paused"), ("Successful", "promote")],
)
def test_given_the_runs_phase_then_the_rollout_decides_as_argo_does(phase: str, decision: str) -> None:
    assert decide(phase, auto_promotion=True) == decision


def test_given_the_dev_overlay_then_the_rehearsal_reads_its_order_release() -> None:
    # Given the repository's dev overlay, rendered as Argo CD would
    release = read_release(render())
    # Then it is a blue-green release in tlj with analysis templates whose every metric the rehearsal can run
    assert release.namespace == "tlj"
    values = argument_values(release, preview_hash="p", stable_hash="s")
    metrics = build_metrics(release.raw_metrics, values, scale=0.25)
    assert metrics
    assert {m.provider for m in metrics} <= {"prometheus", "job"}
    assert all("{{" not in m.spec.get("query", "") for m in metrics)
