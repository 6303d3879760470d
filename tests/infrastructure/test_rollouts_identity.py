"""Argo Rollouts can query AMP: IRSA for argo-rollouts/argo-rollouts, with no account ID in Git.

v1.8.3's SigV4 signer (prometheus/common/sigv4 on aws-sdk-go v1.44.116) cannot read EKS Pod Identity credentials
(argoproj/argo-rollouts#4536) but reads AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, which EKS injects for a service
account annotated eks.amazonaws.com/role-arn. The cluster's OIDC provider and the web-identity role are the CDK
app's; the root Application writes the role's ARN into the argo-rollouts Application's Helm values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk.assertions import Template

from k8s.manifests import ENVIRONMENT_NAMES, K8S_DIR, MANUAL_TARGETS, TARGETS, Manifest, kubectl, render
from stacks.config import EnvironmentConfig
from tests.infrastructure.conftest import only, resources
from tests.infrastructure.iam import allowed, role_id, trust

SERVICE_ACCOUNT = "system:serviceaccount:argo-rollouts:argo-rollouts"
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
POD_ANNOTATION = "tlj/service-account-role-arn"
ISSUER = "oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E"
# The issuer as CDK derives it from the provider's ARN (arn:...:oidc-provider/<issuer>).
ISSUER_FROM_ARN = {"Fn::Select": [1, {"Fn::Split": [":oidc-provider/", {"Ref": "EksClusterOidcProvider"}]}]}


def resolve(value: Any, known: dict[str, str]) -> str:
    """A CloudFormation string built with Fn::Join, with each intrinsic replaced by ``known[json of it]``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(resolve(part, known) for part in parts)
    return known[json.dumps(value, sort_keys=True)]


def rollouts_role(config: EnvironmentConfig, template: Template) -> str:
    return role_id(template, config.role_name("rollouts-analysis"))


def root_application(template: Template) -> tuple[dict[str, Any], dict[str, Any]]:
    ((_, resource),) = [
        (i, r)
        for i, r in resources(template, "Custom::AWSCDK-EKS-KubernetesResource").items()
        if i.startswith("GitOpsRootApplication")
    ]
    return resource, resource["Properties"]["Manifest"]


def test_given_the_cluster_then_its_oidc_issuer_is_an_iam_provider_for_sts(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    logical_id, provider = only(template, "AWS::IAM::OIDCProvider")
    assert logical_id == "EksClusterOidcProvider"
    assert provider["Properties"]["Url"] == {"Fn::GetAtt": ["EksCluster", "OpenIdConnectIssuerUrl"]}
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]


def test_given_argo_rollouts_then_only_its_service_account_tokens_from_this_cluster_can_assume_its_role(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # Given the analysis role and the deploy-time object that holds its condition keys
    config, template = env_template
    (statement,) = trust(template, config.role_name("rollouts-analysis"))
    # Then it trusts web identities of the cluster's provider only
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": {"Ref": "EksClusterOidcProvider"}}
    ((condition_id, attribute),) = [statement["Condition"]["StringEquals"]["Fn::GetAtt"]]
    assert attribute == "Value"
    conditions = resources(template, "Custom::AWSCDKCfnJson")[condition_id]["Properties"]["Value"]
    # And, with the issuer filled in, exactly this service account's tokens minted for STS
    keys = json.loads(resolve(conditions, {json.dumps(ISSUER_FROM_ARN, sort_keys=True): ISSUER}))
    assert keys == {f"{ISSUER}:sub": SERVICE_ACCOUNT, f"{ISSUER}:aud": "sts.amazonaws.com"}


def test_given_argo_rollouts_then_its_role_keeps_its_name_and_logical_id_so_it_is_updated_in_place(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # A fixed role name with a new logical ID would make CloudFormation create a second role of that name first
    config, template = env_template
    assert rollouts_role(config, template).startswith("MetricsRolloutsAnalysisRole")
    grants = allowed(template, config.role_name("rollouts-analysis"))
    assert "aps:QueryMetrics" in grants


def test_given_an_environment_then_the_role_arn_to_expect_on_the_service_account_is_an_output(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    output = template.to_json()["Outputs"]["RolloutsAnalysisRoleArn"]["Value"]
    assert output == {"Fn::GetAtt": [rollouts_role(config, template), "Arn"]}


def test_given_a_configured_owner_then_the_root_application_gives_argo_rollouts_the_role_arn(
    configured_env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # Given the root Application, with the role's ARN (known at deploy time) standing in as <role-arn>
    config, template = configured_env_template
    resource, manifest = root_application(template)
    role = rollouts_role(config, template)
    (application,) = json.loads(resolve(manifest, {json.dumps({"Fn::GetAtt": [role, "Arn"]}): "<role-arn>"}))
    patches = application["spec"]["source"]["kustomize"]["patches"]
    # Then one patch targets the argo-rollouts Application and adds the annotation EKS's webhook reads, and the same
    # ARN on the controller's pods so that a new or changed role rolls them
    (patch,) = [p for p in patches if p["target"].get("name") == "argo-rollouts"]
    assert patch["target"] == {"group": "argoproj.io", "kind": "Application", "name": "argo-rollouts"}
    assert json.loads(patch["patch"]) == [
        {
            "op": "add",
            "path": "/spec/source/helm/valuesObject/serviceAccount/annotations",
            "value": {ROLE_ANNOTATION: "<role-arn>"},
        },
        {
            "op": "add",
            "path": "/spec/source/helm/valuesObject/controller/podAnnotations",
            "value": {POD_ANNOTATION: "<role-arn>"},
        },
    ]
    # And the manifest is applied only once the role, its condition keys and its query grants exist
    depends = set(resource["DependsOn"])
    assert role in depends
    assert any(d.startswith("MetricsRolloutsAnalysisConditions") for d in depends)
    policies = [
        i
        for i, p in resources(template, "AWS::IAM::ManagedPolicy").items()
        if {"Ref": role} in p["Properties"].get("Roles", [])
    ]
    assert policies
    assert set(policies) <= depends


def kustomize(directory: Path) -> list[Manifest]:
    result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_given_the_root_applications_patches_then_kustomize_puts_the_role_on_the_controllers_service_account(
    env: str, configured_dev: Template, configured_prod: Template, tmp_path: Path
) -> None:
    # Given the platform path with the root Application's patches applied, as Argo CD builds it
    template = configured_dev if env == "dev" else configured_prod
    _, manifest = root_application(template)
    arn = f"arn:aws:iam::111122223333:role/tlj-{env}-rollouts-analysis-ap-northeast-2"
    role = next(i for i in resources(template, "AWS::IAM::Role") if i.startswith("MetricsRolloutsAnalysisRole"))
    (application,) = json.loads(resolve(manifest, {json.dumps({"Fn::GetAtt": [role, "Arn"]}): arn}))
    root = tmp_path / "root"
    root.mkdir()
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        # kustomize refuses an absolute base, not a relative one outside the root
        "resources": [os.path.relpath(K8S_DIR / "platform" / env, root)],
        "patches": application["spec"]["source"]["kustomize"]["patches"],
    }
    (root / "kustomization.yaml").write_text(yaml.safe_dump(kustomization), encoding="utf-8")
    built = {d["metadata"]["name"]: d for d in kustomize(root) if d["kind"] == "Application"}
    # Then the controller's service account carries the role, and its pods the same ARN
    values = built["argo-rollouts"]["spec"]["source"]["helm"]["valuesObject"]
    assert values["serviceAccount"] == {"create": True, "name": "argo-rollouts", "annotations": {ROLE_ANNOTATION: arn}}
    assert values["controller"]["podAnnotations"] == {POD_ANNOTATION: arn}
    # And nothing else is touched: the rest of the controller's values are Git's
    git = {d["metadata"]["name"]: d for d in render(f"platform/{env}") if d["kind"] == "Application"}
    git_values = git["argo-rollouts"]["spec"]["source"]["helm"]["valuesObject"]
    assert {k: v for k, v in values["controller"].items() if k != "podAnnotations"} == git_values["controller"]
    for other in ("tlj", "kube-state-metrics"):
        assert ROLE_ANNOTATION not in json.dumps(built[other]), other


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_given_git_then_the_maps_the_root_application_adds_are_left_to_it(env: str) -> None:
    # The JSON patch "add" replaces a whole map: Git must not hold one it would silently drop
    (app,) = [
        d for d in render(f"platform/{env}") if d["kind"] == "Application" and d["metadata"]["name"] == "argo-rollouts"
    ]
    values = app["spec"]["source"]["helm"]["valuesObject"]
    assert "annotations" not in values["serviceAccount"]
    assert "podAnnotations" not in values["controller"]
    assert values["serviceAccount"]["name"] == "argo-rollouts"  # the subject the role trusts


def test_given_the_manifests_in_git_then_none_names_an_aws_account_or_sets_the_role_itself() -> None:
    # The role ARN is the only account-specific value the controller needs, and it comes from the CDK app
    for path in K8S_DIR.rglob("*.yaml"):
        if "schemas" not in path.parts:
            assert not re.search(r"arn:aws[a-z-]*:iam::\d{12}:", path.read_text(encoding="utf-8")), path
    for target in (*TARGETS, *MANUAL_TARGETS):
        for document in render(target):
            assert ROLE_ANNOTATION not in json.dumps(document), (target, document["metadata"]["name"])


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_given_the_analysis_templates_then_sigv4_uses_the_default_credential_chain(env: str) -> None:
    # No roleArn or profile: sigv4 then signs with the chain's first credentials, the IRSA ones
    # (prometheus/common@sigv4/v0.1.0:sigv4/sigv4.go; a roleArn would need a second, chained AssumeRole).
    templates = [d for d in render(f"overlays/{env}") if d["kind"] == "AnalysisTemplate"]
    signed = [
        metric["provider"]["prometheus"]["authentication"]["sigv4"]
        for template in templates
        for metric in template["spec"]["metrics"]
        if "sigv4" in ((metric.get("provider") or {}).get("prometheus") or {}).get("authentication", {})
    ]
    assert signed, "no AMP query found"
    for sigv4 in signed:
        assert set(sigv4) == {"region"}, sigv4
