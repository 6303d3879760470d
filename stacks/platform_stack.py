"""The composition root: one construct per capability, wired together, with cdk-nag acknowledgments."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs.backup import Backup
from stacks.constructs.cluster import Cluster
from stacks.constructs.data import Data
from stacks.constructs.encryption import Encryption
from stacks.constructs.network import Network
from stacks.nag import (
    EKS_AUTO_MODE_CLUSTER_POLICIES,
    EKS_AUTO_MODE_NODE_POLICIES,
    acknowledge,
    managed_policy_findings,
    skip_checkov_on_cdk_providers,
)


class PlatformStack(cdk.Stack):
    """Everything one environment needs. DevStack and ProdStack differ only in ``config``."""

    def __init__(self, scope: Construct, id_: str, *, config: EnvironmentConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            id_,
            env=cdk.Environment(account=config.account, region=config.region),
            termination_protection=config.termination_protection,
            description=f"TLJ bakery platform ({config.name})",
            **kwargs,
        )
        self.config = config
        retain = config.data.retain
        self.encryption = Encryption(self, "Encryption", prefix=config.prefix, retain=retain)
        self.network = Network(
            self, "Network", config=config.network, logs_key=self.encryption.logs_key, retain_logs=retain
        )
        self.data = Data(self, "Data", config=config.data, prefix=config.prefix, key=self.encryption.data_key)
        self.backup = Backup(
            self,
            "Backup",
            config=config.data,
            prefix=config.prefix,
            key=self.encryption.data_key,
            tables=list(self.data.tables.values()),
        )
        self.cluster = Cluster(
            self,
            "Cluster",
            config=config.cluster,
            cluster_name=f"{config.prefix}-cluster",
            vpc=self.network.vpc,
            secrets_key=self.encryption.secrets_key,
            logs_key=self.encryption.logs_key,
            retain_logs=retain,
        )

        cdk.Tags.of(self).add("project", config.project)
        cdk.Tags.of(self).add("environment", config.name)
        for key, value in config.tags.items():
            cdk.Tags.of(self).add(key, value)

        self._acknowledge_findings()
        skip_checkov_on_cdk_providers(self)

    def _acknowledge_findings(self) -> None:
        """Findings accepted on purpose. Each reason says why, so that a reviewer can disagree with it."""
        acknowledge(
            [subnet.node.find_child("DefaultRoute") for subnet in self.network.vpc.public_subnets],
            ["NIST.800.53.R5::NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW"],
            "A public subnet is defined by its default route to the internet gateway: the internet-facing ALB "
            "and the NAT gateways live there. Workloads run in the private subnets, which route out via NAT only.",
        )
        acknowledge(
            [self.cluster],
            managed_policy_findings(EKS_AUTO_MODE_CLUSTER_POLICIES + EKS_AUTO_MODE_NODE_POLICIES),
            "EKS Auto Mode requires exactly these AWS managed policies on its cluster and node roles (EKS user "
            "guide, 'Auto Mode cluster IAM role'); AWS updates them as Auto Mode gains features, which a copied "
            "customer-managed policy would silently miss.",
        )
        acknowledge(
            [self.backup.plan],
            [
                "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSBackupServiceRolePolicyForBackup]"
            ],
            "AWS Backup's own service-role policy is the documented grant for backup jobs: it covers the "
            "DynamoDB backup and KMS calls per resource type and follows AWS Backup's changes.",
        )
