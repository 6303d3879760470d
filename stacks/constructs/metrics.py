"""Amazon Managed Prometheus: a KMS-encrypted workspace, a managed scraper on the cluster, and the role that
Argo Rollouts' release analysis uses to query it with SigV4.

That role is IRSA, not Pod Identity: Argo Rollouts v1.8.3 signs AMP queries with prometheus/common/sigv4 v0.1.0
(argo-rollouts@v1.8.3:metricproviders/prometheus/prometheus.go, NewSigV4RoundTripper), which resolves credentials
with aws-sdk-go v1's default chain; v1.8.3's go.mod selects aws-sdk-go v1.44.116, whose container provider accepts
only loopback hosts (aws-sdk-go@v1.44.116:aws/defaults/defaults.go), so the Pod Identity agent at 169.254.170.23 is
refused, while AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (IRSA) is read (aws/session/credentials.go). Pod Identity
needs aws-sdk-go >= v1.47.11 (EKS user guide, "Use pod identity with the AWS SDK"); argoproj/argo-rollouts#4536,
fix #5010 still open. Argo Rollouts' own AMP docs name IRSA (docs/analysis/prometheus.md at v1.8.3).

The scraper needs no kubectl: on a cluster whose authentication mode includes the EKS API (ours: ``API``), AMP
creates the scraper's access entry and its read-only access policy itself when the scraper is created (AMP
user guide, "Configure Amazon EKS for scraper access with access entries"). A workspace encrypted with a
customer managed key needs the scraper to write through a role pair (``RoleConfiguration``, same account).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_aps as aps
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.config import MetricsConfig
from stacks.constructs.grantable_role import GrantableRole
from stacks.constructs.removal import removal_policy
from stacks.constructs.workload_identity import WebIdentityRole

SCRAPE_CONFIG = Path(__file__).parent.parent / "assets" / "prometheus" / "scrape.yml"
QUERY_ACTIONS = ("aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata")


def scrape_configuration(*, config: MetricsConfig, cluster_name: str) -> str:
    text = SCRAPE_CONFIG.read_text(encoding="utf-8")
    values = {
        "NAMESPACE": config.workload_namespace,
        "CLUSTER_NAME": cluster_name,
        "SCRAPE_INTERVAL": str(config.scrape_interval_seconds),
        "KSM_PORT": str(config.kube_state_metrics_port),
        "ROLLOUTS_PORT": str(config.rollouts_metrics_port),
    }
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    if "${" in text:
        raise ValueError(f"unfilled placeholder in {SCRAPE_CONFIG}")
    return text


class Metrics(Construct):
    """``workspace``, ``scraper``, ``query_url``, ``rollouts_analysis`` (IRSA of argo-rollouts/argo-rollouts)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: MetricsConfig,
        prefix: str,
        role_name: Callable[[str], str],
        cluster: eks.ICluster,
        cluster_name: str,
        oidc_provider: iam.IOpenIdConnectProvider,
        vpc: ec2.IVpc,
        subnets: Sequence[ec2.ISubnet],
        key: kms.IKey,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        self._key_via_aps = {"StringEquals": {"kms:ViaService": f"aps.{stack.region}.amazonaws.com"}}
        self._key = key
        self.workspace = aps.CfnWorkspace(
            self,
            "Workspace",
            alias=f"{prefix}-metrics",
            kms_key_arn=key.key_arn,
            workspace_configuration=(
                aps.CfnWorkspace.WorkspaceConfigurationProperty(retention_period_in_days=config.retention_days)
                if config.retention_days is not None
                else None
            ),
        )
        self.workspace.override_logical_id("MetricsWorkspace")
        self.workspace.apply_removal_policy(removal_policy(retain))
        # The Prometheus-compatible endpoint without its trailing slash: Argo Rollouts appends /api/v1/query.
        self.query_url = cdk.Fn.join(
            "",
            [f"https://aps-workspaces.{stack.region}.{stack.url_suffix}/workspaces/", self.workspace.attr_workspace_id],
        )

        source, target = self._scraper_roles(role_name)
        self.security_group = self._scraper_security_group(config, cluster, vpc)
        configuration = scrape_configuration(config=config, cluster_name=cluster_name)
        self.scraper = aps.CfnScraper(
            self,
            "Scraper",
            alias=f"{prefix}-scraper",
            source=aps.CfnScraper.SourceProperty(
                eks_configuration=aps.CfnScraper.EksConfigurationProperty(
                    cluster_arn=cluster.cluster_arn,
                    subnet_ids=[subnet.subnet_id for subnet in subnets],
                    security_group_ids=[self.security_group.security_group_id],
                )
            ),
            destination=aps.CfnScraper.DestinationProperty(
                amp_configuration=aps.CfnScraper.AmpConfigurationProperty(workspace_arn=self.workspace.attr_arn)
            ),
            scrape_configuration=aps.CfnScraper.ScrapeConfigurationProperty(
                configuration_blob=base64.b64encode(configuration.encode()).decode()
            ),
            role_configuration=aps.CfnScraper.RoleConfigurationProperty(
                source_role_arn=source.role_arn, target_role_arn=target.role_arn
            ),
        )
        self.scraper.node.add_dependency(source.policy, target.policy)  # roles are referenced already

        # The ids keep the role's logical ID of its Pod Identity days: its fixed name is updated in place, since a
        # replacement would create the new role under the same name before deleting the old one.
        self.rollouts_analysis = WebIdentityRole(
            self,
            "RolloutsAnalysis",
            provider=oidc_provider,
            namespace="argo-rollouts",
            service_account="argo-rollouts",
            role_name=role_name("rollouts-analysis"),
        )
        self.grant_query(self.rollouts_analysis)

    def grant_query(self, grantee: iam.IGrantable) -> None:
        """PromQL over the Prometheus-compatible API (what Argo Rollouts and Grafana do)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(QUERY_ACTIONS), resources=[self.workspace.attr_arn])
        )
        self._grant_key_via_aps(grantee, "kms:Decrypt")

    def _grant_key_via_aps(self, grantee: iam.IGrantable, *actions: str) -> None:
        # The workspace's data is under our CMK; callers may use it only through AMP.
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(actions), resources=[self._key.key_arn], conditions=self._key_via_aps)
        )

    def _scraper_security_group(self, config: MetricsConfig, cluster: eks.ICluster, vpc: ec2.IVpc) -> ec2.SecurityGroup:
        """The scraper's own group: out to the cluster API (discovery, and cAdvisor through the node proxy) and the
        metrics ports of the services' and the platform exporters' pods only, and the cluster security group
        (control plane and Auto Mode nodes) lets exactly that in."""
        group = ec2.SecurityGroup(
            self,
            "ScraperSecurityGroup",
            vpc=vpc,
            description="AMP managed scraper to the EKS API and the pod metrics ports",
            allow_all_outbound=False,
        )
        cluster_group = ec2.SecurityGroup.from_security_group_id(
            self, "ClusterSecurityGroup", cluster.cluster_security_group_id, mutable=True
        )
        for port, what in [
            (443, "the EKS API (service discovery, cAdvisor via the node proxy)"),
            *((p, "pod metrics") for p in config.scrape_ports),
            *((p, "platform exporter metrics") for p in config.platform_scrape_ports),
        ]:
            group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(port), f"To {what}")
            cluster_group.add_ingress_rule(group, ec2.Port.tcp(port), f"AMP scraper to {what}")
        return group

    def _scraper_roles(self, role_name: Callable[[str], str]) -> tuple[GrantableRole, GrantableRole]:
        """The scraper assumes ``source`` (only scrapers of this account), which assumes ``target`` to write."""
        stack = cdk.Stack.of(self)
        scraper_arns = f"arn:{stack.partition}:aps:{stack.region}:{stack.account}:scraper/*"
        source = GrantableRole(
            self,
            "ScraperSourceRole",
            role_name=role_name("scraper-source"),
            description="AMP managed scrapers of this account, on their way to the workspace",
            assumed_by=iam.ServicePrincipal(
                "scraper.aps.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": scraper_arns},
                },
            ),
        )
        target = GrantableRole(
            self,
            "ScraperTargetRole",
            role_name=role_name("scraper-target"),
            description="Remote write of the AMP managed scraper into the workspace",
            assumed_by=iam.ArnPrincipal(source.role_arn).with_conditions(
                {"StringLike": {"sts:ExternalId": scraper_arns}}
            ),
        )
        source.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[target.role_arn])
        )
        target.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["aps:RemoteWrite"], resources=[self.workspace.attr_arn])
        )
        self._grant_key_via_aps(target, "kms:GenerateDataKey", "kms:Decrypt")
        return source, target
