"""Amazon Managed Grafana: a workspace per environment with its own least-privilege role, signed into through IAM
Identity Center (or SAML), and a custom resource that provisions its data sources and dashboards."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from lambdas.grafana_provisioner.dashboards import dashboards_hash
from stacks.config import DEV, PROD, EnvironmentConfig, GrafanaConfig
from stacks.constructs.grafana_provisioning import DASHBOARDS, IDENTITY_CENTER_ACTIONS, WORKSPACE_ACTIONS
from stacks.platform_stack import PlatformStack
from tests.infrastructure.conftest import only, resources
from tests.infrastructure.iam import allowed, role_id, statements, trust

REPO_ROOT = Path(__file__).resolve().parents[2]
AMP_QUERY = {"aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata"}
CLOUDWATCH_READ = {
    "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:DescribeAlarmHistory",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetInsightRuleReport",
    "tag:GetResources",
}
PROVIDER = "Custom::GrafanaProvisioning"


def workspace(template: Template) -> tuple[str, dict[str, Any]]:
    return only(template, "AWS::Grafana::Workspace")


def provisioning(template: Template) -> dict[str, Any]:
    _, resource = only(template, PROVIDER)
    return dict(resource["Properties"])


def synth(config: EnvironmentConfig) -> Template:
    return Template.from_stack(PlatformStack(cdk.App(), config.stack_name, config=config))


@pytest.fixture(scope="module")
def with_admin_groups() -> Template:
    return synth(PROD.with_overrides({"grafana_admin_group_ids": "g-ops, g-sre"}))  # dev takes one group only


@pytest.fixture(scope="module")
def with_saml() -> Template:
    return synth(PROD.with_overrides({"grafana_saml_metadata_url": "https://idp.example.com/saml/metadata"}))


def test_given_an_environment_then_its_workspace_uses_identity_center_our_role_and_the_pinned_version(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    logical_id, found = workspace(template)
    props = found["Properties"]
    assert logical_id == "GrafanaWorkspace", "a stable logical id: replacing it would drop hand-made dashboards"
    assert props["Name"] == f"{config.prefix}-grafana"
    assert props["AccountAccessType"] == "CURRENT_ACCOUNT"
    assert props["AuthenticationProviders"] == ["AWS_SSO"]
    assert "SamlConfiguration" not in props
    assert props["PermissionType"] == "CUSTOMER_MANAGED"  # SERVICE_MANAGED makes roles only in the console
    assert props["RoleArn"] == {"Fn::GetAtt": [role_id(template, config.role_name("grafana")), "Arn"]}
    assert sorted(props["DataSources"]) == ["CLOUDWATCH", "PROMETHEUS"]
    assert props["GrafanaVersion"] == config.grafana.grafana_version
    assert props["PluginAdminEnabled"] is False
    assert "NotificationDestinations" not in props
    assert found["DeletionPolicy"] == ("RetainExceptOnCreate" if config.data.retain else "Delete")


def test_given_the_dashboards_sdk_pin_then_the_workspace_runs_the_grafana_version_it_builds_for() -> None:
    pin = re.search(
        r"^grafana-foundation-sdk==\d+!(\d+\.\d+)\.", (REPO_ROOT / "requirements-dev.txt").read_text(), re.M
    )
    assert pin, "grafana-foundation-sdk is pinned in requirements-dev.txt"
    assert GrafanaConfig().grafana_version == DEV.grafana.grafana_version == PROD.grafana.grafana_version
    assert DEV.grafana.grafana_version == pin.group(1)


def test_given_the_workspace_role_then_only_grafana_for_this_accounts_workspaces_may_assume_it(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    (statement,) = trust(template, config.role_name("grafana"))
    assert statement["Principal"] == {"Service": "grafana.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    condition = statement["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = json.dumps(condition["ArnLike"]["aws:SourceArn"])
    assert ":grafana:ap-northeast-2:" in source_arn
    assert ":/workspaces/*" in source_arn


def test_given_the_workspace_role_then_it_may_query_our_amp_workspace_and_read_cloudwatch_and_nothing_else(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    grants = allowed(template, config.role_name("grafana"))
    assert set(grants) == AMP_QUERY | CLOUDWATCH_READ | {"kms:Decrypt"}
    for action in AMP_QUERY:
        assert grants[action] == {json.dumps({"Fn::GetAtt": ["MetricsWorkspace", "Arn"]})}
    (key,) = grants["kms:Decrypt"]
    assert "EncryptionDataKey" in key
    (decrypt,) = [s for s in statements(template, config.role_name("grafana")) if s["Action"] == "kms:Decrypt"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "aps.ap-northeast-2.amazonaws.com"}}
    for action in CLOUDWATCH_READ:
        assert grants[action] == {'"*"'}, "reads only; these have no resource type"
    role = resources(template, "AWS::IAM::Role")[role_id(template, config.role_name("grafana"))]
    assert "ManagedPolicyArns" not in role["Properties"], "no AWS managed policy: exactly the grants above"


def test_given_the_provisioning_then_it_names_the_workspace_the_amp_endpoint_and_the_dashboards_hash(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    props = provisioning(template)
    assert props["WorkspaceId"] == {"Fn::GetAtt": ["GrafanaWorkspace", "Id"]}
    assert props["WorkspaceEndpoint"] == {"Fn::GetAtt": ["GrafanaWorkspace", "Endpoint"]}
    assert props["Region"] == "ap-northeast-2"
    assert "MetricsWorkspace" in json.dumps(props["PrometheusUrl"])
    assert "/api/v1" not in json.dumps(props["PrometheusUrl"]), "Grafana appends the API path itself"
    assert (props["FolderUid"], props["ServiceAccountName"]) == (config.prefix, f"{config.prefix}-provisioner")
    assert props["TokenSecondsToLive"] == config.grafana.token_seconds_to_live <= 600
    assert props["AdminGroupIds"] == []
    assert props["DashboardsHash"] == dashboards_hash(DASHBOARDS.glob("*.json"))
    assert "Dashboards" not in props
    assert "panels" not in json.dumps(props), "dashboards travel as a layer, not in the template"
    assert props["ServiceToken"]["Fn::GetAtt"][0].startswith("GrafanaProvisioningProviderframeworkonEvent")


def test_given_the_provisioner_then_it_runs_in_the_vpc_and_may_touch_only_this_workspace(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    (function,) = [
        f["Properties"]
        for f in resources(template, "AWS::Lambda::Function").values()
        if f["Properties"].get("FunctionName") == f"{config.prefix}-grafana-provisioner"
    ]
    assert function["Handler"] == "lambdas.grafana_provisioner.handler.handler"
    assert function["Environment"]["Variables"]["DASHBOARDS_DIR"] == "/opt/grafana"
    assert function["VpcConfig"]["SubnetIds"]
    if list(DASHBOARDS.glob("*.json")):
        assert len(function["Layers"]) == 3, "powertools, dependencies and the dashboards"
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if "grafana:CreateWorkspaceServiceAccountToken" in json.dumps(p)
    ]
    (statement,) = policy
    assert set(statement["Action"]) == set(WORKSPACE_ACTIONS)
    resource = json.dumps(statement["Resource"])
    assert ":/workspaces/" in resource
    assert '"GrafanaWorkspace", "Id"' in resource
    assert "sso:" not in json.dumps(template.to_json()), "no Identity Center reads without admin groups"


def test_given_the_vpc_then_grafanas_api_and_workspace_endpoints_are_private_behind_the_endpoint_group(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    services = {}
    for logical_id, endpoint in resources(template, "AWS::EC2::VPCEndpoint").items():
        name = json.dumps(endpoint["Properties"]["ServiceName"])
        if "grafana" in name:
            services[logical_id] = endpoint["Properties"]
    assert len(services) == 2
    assert {json.dumps(p["ServiceName"]).rsplit(".", 1)[-1].strip('"]') for p in services.values()} == {
        "grafana",
        "grafana-workspace",
    }
    for props in services.values():
        assert props["PrivateDnsEnabled"] is True
        (group,) = props["SecurityGroupIds"]
        assert group["Fn::GetAtt"][0].startswith("NetworkEndpointSecurityGroup")


def test_given_admin_groups_then_they_reach_the_provisioner_with_the_identity_center_reads(
    with_admin_groups: Template,
) -> None:
    props = provisioning(with_admin_groups)
    assert props["AdminGroupIds"] == ["g-ops", "g-sre"]
    text = json.dumps(with_admin_groups.to_json())
    for action in IDENTITY_CENTER_ACTIONS:
        assert action in text


def test_given_a_saml_metadata_url_then_the_workspace_signs_in_through_saml_with_admin_role_values(
    with_saml: Template,
) -> None:
    _, found = workspace(with_saml)
    props = found["Properties"]
    assert props["AuthenticationProviders"] == ["SAML"]
    saml = props["SamlConfiguration"]
    assert saml["IdpMetadata"] == {"Url": "https://idp.example.com/saml/metadata"}
    assert saml["AssertionAttributes"]["Role"] == "role"
    assert saml["RoleValues"]["Admin"] == ["grafana-admin"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"grafana_saml_metadata_url": "http://idp.example.com/m"}, "https://"),
        (
            {"grafana_saml_metadata_url": "https://idp.example.com/m", "grafana_admin_group_ids": "g-1"},
            "need AWS_SSO",
        ),
    ],
)
def test_given_inconsistent_grafana_context_then_the_config_refuses_it(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DEV.with_overrides(overrides)


def test_given_outputs_then_the_workspace_url_is_published(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    outputs = template.to_json()["Outputs"]
    assert json.dumps(outputs["GrafanaWorkspaceUrl"]["Value"]).startswith('{"Fn::Join": ["", ["https://"')


def test_dev_assigns_at_most_one_admin_group_so_its_bill_stays_the_workspaces_one_editor_licence() -> None:
    # Every AMG workspace pays one editor licence; each further active admin or editor is another (issue 16).
    assert DEV.with_overrides({"grafana_admin_group_ids": "g-dev"}).grafana.admin_group_ids == ("g-dev",)
    with pytest.raises(ValueError, match="at most 1 grafana_admin_group_ids"):
        DEV.with_overrides({"grafana_admin_group_ids": "g-ops, g-sre"})
    assert PROD.grafana.max_admin_groups is None
