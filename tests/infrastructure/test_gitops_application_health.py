"""Application health for app-of-apps sync waves: argo-rollouts (wave -1) is healthy before tlj (wave 0) is applied.

A sync wave waits for the health of the previous wave's resources, and Argo CD has had no health check for
argoproj.io/Application since 1.8 (argo-cd docs: operator-manual/health.md, upgrading/1.7-1.8.md), so without one
the root Application would start tlj's wave at once. The check is a Lua script, run here in Lua 5.1 (Argo CD's
gopher-lua dialect, through lupa) with no library loaded, as the EKS managed Argo CD runs it.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from lupa import lua51

from k8s.manifests import ENVIRONMENT_NAMES, render
from stacks.config import DEV, EnvironmentConfig
from stacks.constructs.gitops import APPLICATION_HEALTH_KEY, ARGOCD_CM, ASSETS
from stacks.platform_stack import PlatformStack
from tests.infrastructure.conftest import OWNER, only, resources
from tests.infrastructure.test_gitops import IDC_ARN, MANIFEST

SCRIPT = (ASSETS / "application-health.lua").read_text(encoding="utf-8")


def health(application: dict[str, Any]) -> dict[str, str]:
    """Run the script as Argo CD does: the live object is the global `obj`; here no library is loaded at all."""
    runtime = lua51.LuaRuntime(unpack_returned_tuples=True)
    sandbox = runtime.table_from({"obj": runtime.table_from(application, recursive=True)})
    chunk = runtime.eval("function(code, env) local f = assert(loadstring(code)); setfenv(f, env); return f() end")
    result = chunk(SCRIPT, sandbox)
    return {str(k): str(v) for k, v in result.items()}


@pytest.mark.parametrize("status", ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"])
def test_given_a_child_with_a_health_assessment_then_the_parent_sees_that_status_and_message(status: str) -> None:
    child = {"kind": "Application", "status": {"health": {"status": status, "message": f"child is {status}"}}}
    assert health(child) == {"status": status, "message": f"child is {status}"}


@pytest.mark.parametrize(
    "child",
    [
        {"kind": "Application"},  # just created: no status yet
        {"kind": "Application", "status": {}},
        {"kind": "Application", "status": {"sync": {"status": "OutOfSync"}}},  # synced nothing yet
        {"kind": "Application", "status": {"health": {}}},
    ],
)
def test_given_a_child_not_yet_assessed_then_it_is_progressing_so_the_next_wave_waits(child: dict[str, Any]) -> None:
    result = health(child)
    assert result["status"] == "Progressing"
    assert result["message"]


def test_given_a_healthy_child_without_a_message_then_the_message_is_empty_not_nil() -> None:
    assert health({"status": {"health": {"status": "Healthy"}}}) == {"status": "Healthy", "message": ""}


def test_given_the_platform_then_argo_rollouts_is_in_an_earlier_wave_than_the_workloads_that_need_its_crds() -> None:
    # The health check is what makes this ordering real; the waves themselves are Git's
    for env in ENVIRONMENT_NAMES:
        waves = {
            d["metadata"]["name"]: int(d["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", "0"))
            for d in render(f"platform/{env}")
            if d["kind"] == "Application"
        }
        assert waves["argo-rollouts"] < waves["tlj"], env


def test_given_the_helm_argo_cd_then_its_argocd_cm_carries_the_application_health_check(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # Given the Argo CD chart's values (configs.cm is rendered into argocd-cm beside the chart's defaults)
    _, template = env_template
    _, chart = only(template, "Custom::AWSCDK-EKS-HelmChart")
    values = json.loads(chart["Properties"]["Values"])
    # Then the health check is there, under the key Argo CD reads, byte for byte the tested script
    assert values["configs"]["cm"] == {APPLICATION_HEALTH_KEY: SCRIPT}
    assert APPLICATION_HEALTH_KEY == "resource.customizations.health.argoproj.io_Application"
    # And the rest of the values file is still applied
    assert values["dex"] == {"enabled": False}


@pytest.fixture(scope="module")
def managed() -> Template:
    config = DEV.with_overrides({"identity_center_instance_arn": IDC_ARN, "github_owner": OWNER})
    return Template.from_stack(PlatformStack(cdk.App(), "DevStack", config=config))


def test_given_the_managed_capability_then_an_argocd_cm_it_reads_carries_the_check_before_the_root_application(
    managed: Template,
) -> None:
    # Given the EKS managed Argo CD, which reads supported settings (health checks among them) from an argocd-cm
    # ConfigMap in its namespace labelled app.kubernetes.io/part-of: argocd (EKS user guide, "Configure Argo CD
    # settings")
    manifests = resources(managed, MANIFEST)
    ((settings_id, settings),) = [(i, m) for i, m in manifests.items() if i.startswith("GitOpsSettings")]
    (config_map,) = json.loads(settings["Properties"]["Manifest"])
    # Then it is that ConfigMap, with the same data the chart gets
    assert config_map["kind"] == "ConfigMap"
    assert config_map["metadata"]["name"] == "argocd-cm"
    assert config_map["metadata"]["namespace"] == "argocd"
    assert config_map["metadata"]["labels"]["app.kubernetes.io/part-of"] == "argocd"
    assert config_map["data"] == ARGOCD_CM
    # And it exists before the root Application's first sync (through the local cluster's registration)
    ((local_id, local),) = [(i, m) for i, m in manifests.items() if i.startswith("GitOpsLocalCluster")]
    assert settings_id in local["DependsOn"]
    ((_, root),) = [(i, m) for i, m in manifests.items() if i.startswith("GitOpsRootApplication")]
    assert local_id in root["DependsOn"]
    capability_id, _ = only(managed, "AWS::EKS::Capability")
    assert capability_id in settings["DependsOn"]
    # And no Helm chart sets it a second time
    assert resources(managed, "Custom::AWSCDK-EKS-HelmChart") == {}
