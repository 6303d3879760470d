"""Data sources and dashboards in the Managed Grafana workspace at `cdk deploy`, without a click: a custom resource.

``lambdas/grafana_provisioner`` (the one Lambda factory's defaults) gets a service-account token that lives for
minutes, upserts the two data sources, the environment's folder and every ``stacks/assets/grafana/*.json``, and
deletes the token again in a ``finally``. The dashboards reach it as a layer (``/opt/grafana``), never as template
properties; their hash is a property, so a changed dashboard file makes CloudFormation send an Update.

The function stays in the VPC behind the factory's security group (HTTPS to the VPC endpoints only): the two
interface endpoints below carry the AMG API (``grafana``, service accounts) and the workspace's Grafana HTTP API
(``grafana-workspace``) privately (AMG user guide, "Interface VPC endpoints"), so no egress rule is added. Dev keeps
them too (in its one endpoint zone, issue 16): the NAT gateway could carry these calls for less, but only by giving a
function of ours an egress rule to the internet, which none has (tests/infrastructure/test_recommendation.py).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_grafana as grafana
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct

from lambdas.grafana_provisioner.dashboards import LAYER_DASHBOARDS, dashboards_hash
from stacks.config import FunctionsConfig, GrafanaConfig
from stacks.constructs.lambda_factory import python_function
from stacks.constructs.logs import encrypted_log_group
from stacks.constructs.network import Network

ASSETS = Path(__file__).resolve().parents[1] / "assets"
DASHBOARDS = ASSETS / LAYER_DASHBOARDS.name  # stacks/assets/grafana, unpacked as /opt/grafana
# The service-account and permission calls, all on the workspace (Service Authorization Reference, Amazon Managed
# Grafana: resource type workspace*).
WORKSPACE_ACTIONS = (
    "grafana:ListWorkspaceServiceAccounts",
    "grafana:CreateWorkspaceServiceAccount",
    "grafana:CreateWorkspaceServiceAccountToken",
    "grafana:DeleteWorkspaceServiceAccountToken",
    "grafana:UpdatePermissions",
)
# What AWSGrafanaWorkspacePermissionManagementV2 adds to UpdatePermissions for Identity Center users and groups;
# these IAM Identity Center actions have no resource type.
IDENTITY_CENTER_ACTIONS = (
    "sso:DescribeRegisteredRegions",
    "sso:GetSharedSsoConfiguration",
    "sso:ListDirectoryAssociations",
    "sso:GetManagedApplicationInstance",
    "sso:ListProfiles",
    "sso:GetProfile",
    "sso:ListProfileAssociations",
    "sso-directory:DescribeUser",
    "sso-directory:DescribeGroup",
)
FRAMEWORK_CHECKOV_SKIPS = {
    "CKV_AWS_115": "CDK's Provider framework runs only while CloudFormation deploys; a concurrency reservation would "
    "only take capacity from the account pool.",
    "CKV_AWS_116": "CloudFormation invokes it synchronously and it reports failures back to CloudFormation, which "
    "rolls back; a DLQ would never receive anything.",
    "CKV_AWS_117": "CDK's framework only invokes the provisioner and answers CloudFormation's pre-signed S3 URL; the "
    "provisioner itself runs in the VPC. Outside the VPC the framework needs no NAT route or egress rule.",
    "CKV_AWS_173": "CDK sets only the provisioner's function name here, no secret; Lambda encrypts it at rest.",
}


class GrafanaProvisioning(Construct):
    """``function`` (the provisioner), ``provider`` (CDK's framework) and ``resource`` (Custom::GrafanaProvisioning)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: GrafanaConfig,
        functions: FunctionsConfig,
        prefix: str,
        workspace: grafana.CfnWorkspace,
        prometheus_url: str,
        network: Network,
        logs_key: kms.IKey,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        self.endpoints = [
            ec2.InterfaceVpcEndpoint(
                self,
                f"{name}Endpoint",
                vpc=network.vpc,
                service=service,
                subnets=network.endpoint_subnets,  # the isolated subnets of the environment's endpoint zones
                security_groups=[network.endpoint_security_group],
                private_dns_enabled=True,
                open=False,
            )
            for name, service in (
                ("Api", ec2.InterfaceVpcEndpointAwsService.GRAFANA),
                ("Workspace", ec2.InterfaceVpcEndpointAwsService.GRAFANA_WORKSPACE),
            )
        ]
        self.function = python_function(
            self,
            "Function",
            config=functions,
            function_name=f"{prefix}-grafana-provisioner",
            service="grafana-provisioner",
            handler="lambdas.grafana_provisioner.handler.handler",
            description="Managed Grafana: data sources, dashboards and admin groups, at deploy time",
            memory_mb=256,
            timeout=cdk.Duration.minutes(2),
            reserved_concurrency=None,
            network=network,
            logs_key=logs_key,
            retain_logs=retain,
            environment={"DASHBOARDS_DIR": str(LAYER_DASHBOARDS)},
        )
        dashboard_files = sorted(DASHBOARDS.glob("*.json"))
        if dashboard_files:  # an empty layer cannot be zipped; without one the provisioner finds no dashboards
            self.function.add_layers(
                lambda_.LayerVersion(
                    self,
                    "Dashboards",
                    code=lambda_.Code.from_asset(
                        str(ASSETS), exclude=["/*", f"!/{DASHBOARDS.name}/"], ignore_mode=cdk.IgnoreMode.GIT
                    ),
                    description=f"Grafana dashboards of {prefix} (stacks/assets/grafana)",
                )
            )
        # arn:${Partition}:grafana:${Region}:${Account}:/workspaces/${ResourceId} (Service Authorization Reference)
        workspace_arn = stack.format_arn(service="grafana", resource="/workspaces", resource_name=workspace.attr_id)
        statements = [iam.PolicyStatement(actions=list(WORKSPACE_ACTIONS), resources=[workspace_arn])]
        if config.admin_group_ids:
            statements.append(iam.PolicyStatement(actions=list(IDENTITY_CENTER_ACTIONS), resources=["*"]))
        self.policy = iam.ManagedPolicy(
            self, "Policy", description=f"Grafana provisioning of {prefix}: one workspace", statements=statements
        )
        assert self.function.role is not None
        self.function.role.add_managed_policy(self.policy)

        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.function,
            log_group=encrypted_log_group(
                self, "ProviderLogs", key=logs_key, retention_days=functions.log_retention_days, retain=retain
            ),
        )
        framework = self.provider.node.find_child("framework-onEvent").node.default_child
        assert isinstance(framework, cdk.CfnResource)
        skips = [{"id": k, "comment": v} for k, v in FRAMEWORK_CHECKOV_SKIPS.items()]
        framework.add_metadata("checkov", {"skip": skips})
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self.provider.service_token,
            resource_type="Custom::GrafanaProvisioning",
            properties={
                "WorkspaceId": workspace.attr_id,
                "WorkspaceEndpoint": workspace.attr_endpoint,
                "Region": stack.region,
                "PrometheusUrl": prometheus_url,
                "FolderUid": prefix,
                "FolderTitle": f"TLJ {prefix}",
                "ServiceAccountName": f"{prefix}-provisioner",
                "TokenSecondsToLive": config.token_seconds_to_live,
                "AdminGroupIds": list(config.admin_group_ids),
                "DashboardsHash": dashboards_hash(dashboard_files),
            },
        )
        # The role's grants and the private DNS of both endpoints are in place before the first call.
        self.resource.node.add_dependency(self.policy, *self.endpoints)
