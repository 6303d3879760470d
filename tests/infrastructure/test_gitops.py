"""GitOps: Argo CD at a pinned version (or the EKS managed capability), and one root Application per environment."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from stacks.config import DEV, EnvironmentConfig
from stacks.platform_stack import PlatformStack
from stacks.versions import helm_chart
from tests.infrastructure.conftest import OWNER, only, resources

REPO_ROOT = Path(__file__).resolve().parents[2]
IDC_ARN = "arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6"
MANIFEST = "Custom::AWSCDK-EKS-KubernetesResource"


def manifests(template: Template) -> dict[str, dict[str, Any]]:
    return resources(template, MANIFEST)


def placeholders(value: Any) -> str:
    """A string built with Fn::Join, each GetAtt written as <LogicalId.Attribute> (known only at deploy time)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(placeholders(part) for part in parts)
    logical_id, attribute = value["Fn::GetAtt"]
    return f"<{logical_id}.{attribute}>"


def root_application(template: Template) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(logical ID, resource, the Application object) of the root Application."""
    for logical_id, resource in manifests(template).items():
        if logical_id.startswith("GitOpsRootApplication"):
            (application,) = json.loads(placeholders(resource["Properties"]["Manifest"]))
            return logical_id, resource, application
    raise AssertionError("no root Application")


@pytest.fixture(scope="module")
def managed() -> Template:
    """Dev with an IAM Identity Center instance configured: Argo CD is the EKS managed capability."""
    config = DEV.with_overrides(
        {"identity_center_instance_arn": IDC_ARN, "argocd_admin_group_ids": "g-1,g-2", "github_owner": OWNER}
    )
    return Template.from_stack(PlatformStack(cdk.App(), "DevStack", config=config))


def test_given_no_identity_center_then_argo_cd_is_the_helm_chart_at_the_pinned_version(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    pin = helm_chart("argo-cd")
    _, chart = only(template, "Custom::AWSCDK-EKS-HelmChart")
    props = chart["Properties"]
    assert (props["Chart"], props["Repository"], props["Version"]) == (
        "argo-cd",
        "https://argoproj.github.io/argo-helm",
        pin.version,
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+", pin.version), "an exact chart version, never a range"
    assert props["Namespace"] == "argocd"
    assert props["Wait"] is True, "the root Application needs the chart's CRDs in place"
    assert resources(template, "AWS::EKS::Capability") == {}


def test_given_a_configured_owner_then_the_root_application_syncs_its_own_platform_path_of_that_repository(
    configured_env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = configured_env_template
    _, resource, application = root_application(template)
    assert application["kind"] == "Application"
    assert application["metadata"]["namespace"] == "argocd"
    source = dict(application["spec"]["source"])
    patches = source.pop("kustomize")["patches"]
    assert source == {
        "repoURL": f"https://github.com/{OWNER}/tlj-platform.git",
        "targetRevision": "main",
        "path": f"k8s/platform/{config.name}",
    }
    # Every child that syncs from this repository is pointed at the same repository and revision; the second patch
    # gives argo-rollouts its IRSA role (tests/infrastructure/test_rollouts_identity.py).
    patch, rollouts_patch = patches
    assert rollouts_patch["target"] == {"group": "argoproj.io", "kind": "Application", "name": "argo-rollouts"}
    assert patch["target"] == {
        "group": "argoproj.io",
        "kind": "Application",
        "labelSelector": "tlj/source=platform-repository",
    }
    assert json.loads(patch["patch"]) == [
        {"op": "replace", "path": "/spec/source/repoURL", "value": f"https://github.com/{OWNER}/tlj-platform.git"},
        {"op": "replace", "path": "/spec/source/targetRevision", "value": "main"},
    ]
    assert (REPO_ROOT / application["spec"]["source"]["path"] / "kustomization.yaml").is_file()
    assert application["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert application["spec"]["destination"] == {"name": "in-cluster", "namespace": "argocd"}
    (chart_id,) = resources(template, "Custom::AWSCDK-EKS-HelmChart")
    assert chart_id in resource["DependsOn"]


def test_given_the_kubectl_provider_then_it_runs_in_the_private_subnets_so_a_private_endpoint_works(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    handlers = {
        logical_id: function
        for logical_id, function in resources(template, "AWS::Lambda::Function").items()
        if logical_id.startswith("ClusterKubectlProvider")
    }
    assert len(handlers) == 2  # the kubectl handler and CDK's framework function
    for logical_id, function in handlers.items():
        subnets = {s["Ref"] for s in function["Properties"]["VpcConfig"]["SubnetIds"]}
        assert len(subnets) == len(config.network.availability_zones), logical_id
        assert all("private" in s for s in subnets), logical_id


def test_given_prod_then_the_endpoint_the_provider_reaches_is_private_only(prod: Template) -> None:
    _, cluster = only(prod, "AWS::EKS::Cluster")
    assert cluster["Properties"]["ResourcesVpcConfig"]["EndpointPublicAccess"] is False


def test_given_identity_center_then_argo_cd_is_the_managed_capability_and_no_chart_is_installed(
    managed: Template,
) -> None:
    _, capability = only(managed, "AWS::EKS::Capability")
    props = capability["Properties"]
    assert props["Type"] == "ARGOCD"
    assert props["ClusterName"] == {"Ref": "EksCluster"}
    assert props["DeletePropagationPolicy"] == "RETAIN"
    argo = props["Configuration"]["ArgoCd"]
    assert argo["AwsIdc"]["IdcInstanceArn"] == IDC_ARN
    assert argo["Namespace"] == "argocd"
    assert argo["RbacRoleMappings"] == [
        {"Role": "ADMIN", "Identities": [{"Id": "g-1", "Type": "SSO_GROUP"}, {"Id": "g-2", "Type": "SSO_GROUP"}]}
    ]
    assert resources(managed, "Custom::AWSCDK-EKS-HelmChart") == {}
    role_id = props["RoleArn"]["Fn::GetAtt"][0]
    (statement,) = resources(managed, "AWS::IAM::Role")[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "capabilities.eks.amazonaws.com"}
    assert set(statement["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "ArgoCdServerUrl" in managed.to_json()["Outputs"]


def test_given_the_managed_capability_then_the_local_cluster_is_registered_before_the_root_application(
    managed: Template,
) -> None:
    (local_id,) = [i for i in manifests(managed) if i.startswith("GitOpsLocalCluster")]
    local = json.dumps(manifests(managed)[local_id]["Properties"]["Manifest"])
    # The capability addresses clusters by ARN and grants the capability role nothing until RBAC says so.
    assert "argocd.argoproj.io/secret-type" in local
    assert '\\"name\\":\\"in-cluster\\"' in local
    assert '{"Fn::GetAtt": ["EksCluster", "Arn"]}' in local
    assert "eks-access-entry:" in local
    assert "cluster-admin" in local
    _, resource, application = root_application(managed)
    assert local_id in resource["DependsOn"]
    assert application["spec"]["source"]["path"] == "k8s/platform/dev"


def test_given_config_then_identity_center_decides_which_argo_cd_is_used() -> None:
    assert DEV.gitops.managed_capability is False
    assert replace(DEV.gitops, identity_center_instance_arn=IDC_ARN).managed_capability is True
    assert DEV.with_overrides({"identity_center_instance_arn": ""}).gitops.managed_capability is False


def test_given_the_kubectl_provider_then_its_role_is_the_only_in_stack_principal_with_cluster_access(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    in_stack = [
        entry["Properties"]
        for entry in resources(template, "AWS::EKS::AccessEntry").values()
        if "Fn::GetAtt" in entry["Properties"]["PrincipalArn"]
    ]
    (entry,) = in_stack
    assert entry["PrincipalArn"]["Fn::GetAtt"][0].startswith("ClusterKubectlProviderHandlerServiceRole")


def test_given_no_owner_then_argo_cd_is_installed_but_no_application_syncs_anything(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    assert not [i for i in manifests(template) if i.startswith("GitOpsRootApplication")]
    assert "github.com" not in json.dumps(template.to_json())


def test_given_the_git_kept_applications_then_none_names_a_repository_owner_that_could_be_registered() -> None:
    # Whoever registers a named GitHub owner could have Argo CD apply manifests with cluster-admin.
    children = (REPO_ROOT / "k8s" / "platform" / "base" / "tlj.yaml").read_text(encoding="utf-8")
    assert "repoURL: https://unconfigured.invalid/tlj-platform.git" in children  # RFC 2606: never resolves
    assert "tlj/source: platform-repository" in children  # the root Application's patch target
    for path in (REPO_ROOT / "k8s").rglob("*.yaml"):
        if "schemas" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"github\.com/(?!argoproj/)", text), path


def test_given_the_helm_install_then_its_wait_ends_before_the_kubectl_handler_is_killed(dev: Template) -> None:
    _, chart = only(dev, "Custom::AWSCDK-EKS-HelmChart")
    timeout = chart["Properties"]["Timeout"]
    assert re.fullmatch(r"\d+s", timeout)
    assert int(timeout[:-1]) < 900  # a Lambda runs 900 s at most
