"""Environment configuration: data, not code. DevStack and ProdStack differ only in the object they get.

Values that depend on the AWS account (account id, admin role, allowed CIDRs) are overridden from CDK context
in ``app.py``, the only place that reads context or environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    cidr: str
    availability_zones: tuple[str, ...]
    nat_gateways: int
    interface_endpoints: tuple[str, ...]  # ec2.InterfaceVpcEndpointAwsService attribute names
    flow_log_retention_days: int


@dataclass(frozen=True, kw_only=True)
class ClusterConfig:
    kubernetes_version: str  # e.g. "1.34"; must exist in aws_eks_v2.KubernetesVersion
    # The API endpoint is private; it is also public, but only to these CIDRs, when any are configured.
    public_access_cidrs: tuple[str, ...]
    admin_role_arn: str | None  # gets the EKS cluster-admin access policy when set
    log_retention_days: int

    def __post_init__(self) -> None:
        for cidr in self.public_access_cidrs:
            if cidr.endswith("/0"):
                raise ValueError(f"the EKS API endpoint must not be open to {cidr}: configure admin CIDRs")

    @property
    def public_endpoint(self) -> bool:
        return bool(self.public_access_cidrs)


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    retain: bool  # RETAIN + deletion protection (prod) or DESTROY (dev)
    backup_retention_days: int  # daily AWS Backup recovery points kept this long


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    name: str  # "dev" | "prod"
    stack_name: str
    account: str | None
    region: str
    network: NetworkConfig
    cluster: ClusterConfig
    data: DataConfig
    termination_protection: bool
    project: str = "tlj"
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Prefix of physical names, e.g. ``tlj-dev``."""
        return f"{self.project}-{self.name}"

    def with_overrides(self, overrides: dict[str, Any]) -> EnvironmentConfig:
        """A copy with the deploy-time values an operator sets through CDK context."""
        cluster = self.cluster
        if "admin_role_arn" in overrides:
            cluster = replace(cluster, admin_role_arn=overrides["admin_role_arn"] or None)
        if "public_access_cidrs" in overrides:
            cidrs = tuple(c.strip() for c in str(overrides["public_access_cidrs"]).split(",") if c.strip())
            cluster = replace(cluster, public_access_cidrs=cidrs)
        return replace(
            self,
            account=overrides.get("account") or self.account,
            region=overrides.get("region") or self.region,
            cluster=cluster,
        )


SEOUL_AZS = ("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d")

# A documentation range (RFC 5737): nothing can reach the dev API endpoint until an operator sets real CIDRs.
PLACEHOLDER_ADMIN_CIDR = "192.0.2.0/24"

DEV = EnvironmentConfig(
    name="dev",
    stack_name="DevStack",
    account=None,
    region="ap-northeast-2",
    network=NetworkConfig(
        cidr="10.10.0.0/16",
        availability_zones=SEOUL_AZS[:2],
        nat_gateways=1,
        interface_endpoints=("ECR", "ECR_DOCKER", "STS", "CLOUDWATCH_LOGS"),
        flow_log_retention_days=7,
    ),
    cluster=ClusterConfig(
        kubernetes_version="1.34",
        public_access_cidrs=(PLACEHOLDER_ADMIN_CIDR,),
        admin_role_arn=None,
        log_retention_days=7,
    ),
    data=DataConfig(retain=False, backup_retention_days=7),
    termination_protection=False,
)

PROD = EnvironmentConfig(
    name="prod",
    stack_name="ProdStack",
    account=None,
    region="ap-northeast-2",
    network=NetworkConfig(
        cidr="10.20.0.0/16",
        availability_zones=SEOUL_AZS[:3],
        nat_gateways=3,
        interface_endpoints=("ECR", "ECR_DOCKER", "STS", "CLOUDWATCH_LOGS", "CLOUDWATCH_MONITORING", "SECRETS_MANAGER"),
        flow_log_retention_days=90,
    ),
    cluster=ClusterConfig(
        kubernetes_version="1.34",
        public_access_cidrs=(),
        admin_role_arn=None,
        log_retention_days=90,
    ),
    data=DataConfig(retain=True, backup_retention_days=35),
    termination_protection=True,
)

ENVIRONMENTS = (DEV, PROD)
