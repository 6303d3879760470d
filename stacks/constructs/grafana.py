"""Amazon Managed Grafana: one workspace per environment with its own IAM role, and its provisioning.

``PermissionType`` is ``CUSTOMER_MANAGED``: AMG creates roles itself (``SERVICE_MANAGED``) only in its console; "use
only the CUSTOMER_MANAGED permission type when creating a workspace with the API, CLI or CloudFormation" (Managed
Grafana API reference, CreateWorkspace ``permissionType``). So the role below is ours, and it may read exactly what
the two data sources need: PromQL on this environment's AMP workspace, and CloudWatch metrics and alarms.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_grafana as grafana
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.config import FunctionsConfig, GrafanaConfig
from stacks.constructs.grafana_provisioning import GrafanaProvisioning
from stacks.constructs.grantable_role import GrantableRole
from stacks.constructs.metrics import Metrics
from stacks.constructs.network import Network
from stacks.constructs.removal import removal_policy

# AmazonGrafanaCloudWatchAccess's CloudWatch metric and alarm reads plus tag:GetResources (dimension values by tag),
# the AWS managed policy AMG attaches for CloudWatch (AMG user guide, "permissions and policies for AWS data sources").
# Its Logs Insights, EC2 and OAM reads are left out: no dashboard here queries logs, instances or other accounts.
CLOUDWATCH_READ_ACTIONS = (
    "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:DescribeAlarmHistory",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetInsightRuleReport",
    "tag:GetResources",
)


class Grafana(Construct):
    """``workspace``, its ``role`` (a :class:`GrantableRole`), ``provisioning`` and the workspace ``url``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: GrafanaConfig,
        functions: FunctionsConfig,
        prefix: str,
        role_name: Callable[[str], str],
        metrics: Metrics,
        network: Network,
        logs_key: kms.IKey,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        self.role = GrantableRole(
            self,
            "WorkspaceRole",
            role_name=role_name("grafana"),
            description=f"Managed Grafana workspace {prefix}: AMP queries and CloudWatch reads",
            # Confused-deputy guard: only AMG acting for a workspace of this account (AMG user guide, "Cross-service
            # confused deputy prevention"); the workspace id is not known before the role exists, hence the wildcard.
            assumed_by=iam.ServicePrincipal(
                "grafana.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:grafana:{stack.region}:{stack.account}:/workspaces/*"
                    },
                },
            ),
        )
        metrics.grant_query(self.role)  # aps:QueryMetrics & co. on our workspace only, kms:Decrypt via AMP
        self.role.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(CLOUDWATCH_READ_ACTIONS), resources=["*"])
        )
        self.workspace = grafana.CfnWorkspace(
            self,
            "Workspace",
            name=f"{prefix}-grafana",
            description=f"TLJ bakery platform dashboards ({prefix})",
            account_access_type="CURRENT_ACCOUNT",
            authentication_providers=[config.authentication],
            permission_type="CUSTOMER_MANAGED",
            role_arn=self.role.role_arn,
            data_sources=["PROMETHEUS", "CLOUDWATCH"],
            grafana_version=config.grafana_version,
            plugin_admin_enabled=False,  # no plugin installs from the catalog: the data sources are built in
            # No notification destinations: alerts go from AMP's Alertmanager and CloudWatch alarms to SNS already.
            saml_configuration=_saml(config),
        )
        self.workspace.override_logical_id("GrafanaWorkspace")
        self.workspace.apply_removal_policy(removal_policy(retain))  # hand-made dashboards and users live here
        self.workspace.node.add_dependency(self.role.policy)  # the data sources work from the first sign-in
        self.url = cdk.Fn.join("", ["https://", self.workspace.attr_endpoint])
        self.provisioning = GrafanaProvisioning(
            self,
            "Provisioning",
            config=config,
            functions=functions,
            prefix=prefix,
            workspace=self.workspace,
            prometheus_url=metrics.query_url,
            network=network,
            logs_key=logs_key,
            retain=retain,
        )


def _saml(config: GrafanaConfig) -> grafana.CfnWorkspace.SamlConfigurationProperty | None:
    """SAML 2.0 instead of IAM Identity Center: the IdP's metadata URL, the assertion attributes AMG maps to Grafana
    users, and the ``role`` values that make a Grafana admin (AMG user guide, "Use SAML with your workspace")."""
    if config.saml_metadata_url is None:
        return None
    return grafana.CfnWorkspace.SamlConfigurationProperty(
        idp_metadata=grafana.CfnWorkspace.IdpMetadataProperty(url=config.saml_metadata_url),
        assertion_attributes=grafana.CfnWorkspace.AssertionAttributesProperty(
            role="role", login="mail", email="mail", name="displayName", groups="groups"
        ),
        role_values=grafana.CfnWorkspace.RoleValuesProperty(admin=list(config.saml_admin_role_values)),
        login_validity_duration=60,
    )
