"""The EKS cluster of one environment: Auto Mode on the private subnets, audited and encrypted."""

from __future__ import annotations

import importlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.config import ClusterConfig
from stacks.constructs.logs import encrypted_log_group

CONTROL_PLANE_LOGS = (
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
)


def kubernetes_version(version: str) -> eks.KubernetesVersion:
    name = "V" + version.replace(".", "_")
    if not hasattr(eks.KubernetesVersion, name):
        raise ValueError(f"Kubernetes {version} is not known to this aws-cdk-lib's aws_eks_v2")
    return getattr(eks.KubernetesVersion, name)


def kubectl_layer(scope: Construct, version: str) -> lambda_.ILayerVersion:
    """kubectl and helm for Kubernetes ``version``: PyPI ``aws-cdk.lambda-layer-kubectl-v<minor>`` (pinned)."""
    minor = version.split(".")[1]
    module_name = f"aws_cdk.lambda_layer_kubectl_v{minor}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise ValueError(f"Kubernetes {version} needs the package {module_name.replace('_', '-')} installed") from None
    layer: lambda_.ILayerVersion = getattr(module, f"KubectlV{minor}Layer")(scope, "KubectlLayer")
    return layer


class Cluster(Construct):
    """An ``aws_eks_v2`` cluster in Auto Mode (EKS manages nodes, load balancing, storage and networking)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: ClusterConfig,
        cluster_name: str,
        vpc: ec2.IVpc,
        secrets_key: kms.IKey,
        logs_key: kms.IKey,
        retain_logs: bool,
    ) -> None:
        super().__init__(scope, id_)
        # EKS writes control-plane logs to this fixed name; creating it first gives it our retention and key.
        self.control_plane_logs = encrypted_log_group(
            self,
            "ControlPlaneLogs",
            name=f"/aws/eks/{cluster_name}/cluster",
            key=logs_key,
            retention_days=config.log_retention_days,
            retain=retain_logs,
        )
        endpoint = (
            eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*config.public_access_cidrs)
            if config.public_endpoint
            else eks.EndpointAccess.PRIVATE
        )
        self.cluster = eks.Cluster(
            self,
            "Cluster",
            cluster_name=cluster_name,
            version=kubernetes_version(config.kubernetes_version),
            vpc=vpc,
            vpc_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
            default_capacity_type=eks.DefaultCapacityType.AUTOMODE,
            compute=eks.ComputeConfig(node_pools=["system", "general-purpose"]),
            cluster_logging=list(CONTROL_PLANE_LOGS),
            secrets_encryption_key=secrets_key,
            endpoint_access=endpoint,
            # kubectl/helm custom resources (Argo CD and its root Application) run in the private subnets, so
            # they reach a private-only API endpoint too; the cluster security group lets them in.
            kubectl_provider_options=eks.KubectlProviderOptions(
                kubectl_layer=kubectl_layer(self, config.kubernetes_version),
                private_subnets=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnets,
            ),
        )
        self.cluster.node.add_dependency(self.control_plane_logs)
        cfn_cluster = self.cluster.node.default_child
        assert isinstance(cfn_cluster, eks.CfnCluster)
        cfn_cluster.override_logical_id("EksCluster")
        # The cluster's IAM OIDC identity provider, for IAM roles for service accounts (IRSA). Only the Argo Rollouts
        # controller uses it: its AMP SigV4 signer cannot read Pod Identity credentials (Metrics.rollouts_analysis).
        # EKS user guide, "Create an IAM OIDC provider for your cluster": one provider per cluster issuer URL, audience
        # sts.amazonaws.com. The native AWS::IAM::OIDCProvider, no custom resource; no thumbprint is pinned (IAM API
        # CreateOpenIDConnectProvider: ThumbprintList is optional, IAM verifies the issuer's certificate itself).
        self.oidc_provider = eks.OidcProviderNative(
            self, "OidcProvider", url=self.cluster.cluster_open_id_connect_issuer_url
        )
        cfn_provider = self.oidc_provider.node.default_child
        assert isinstance(cfn_provider, cdk.CfnResource)
        cfn_provider.override_logical_id("EksClusterOidcProvider")

        if config.admin_role_arn:
            admin_role = iam.Role.from_role_arn(self, "AdminRole", config.admin_role_arn, mutable=False)
            self.cluster.grant_access(
                "AdminAccess",
                admin_role.role_arn,
                [
                    eks.AccessPolicy.from_access_policy_name(
                        "AmazonEKSClusterAdminPolicy", access_scope_type=eks.AccessScopeType.CLUSTER
                    )
                ],
            )
