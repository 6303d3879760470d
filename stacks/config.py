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
class DeliveryConfig:
    """Images in ECR, pushed by GitHub Actions through OIDC from one branch of one repository."""

    github_owner: str
    github_repo: str
    git_revision: str  # the branch releases are built from and Argo CD follows
    # One IAM OIDC provider per URL per account: set False when another stack of the account already made it.
    create_github_oidc_provider: bool
    image_retention_count: int  # ECR keeps this many newest images of each repository
    untagged_image_expiry_days: int

    def __post_init__(self) -> None:
        for name in ("github_owner", "github_repo", "git_revision"):
            value = getattr(self, name)
            if not value or any(c in value for c in "*?/:"):
                raise ValueError(f"{name} must be one exact name (no wildcard, slash or colon), got {value!r}")

    @property
    def repo_url(self) -> str:
        return f"https://github.com/{self.github_owner}/{self.github_repo}.git"

    @property
    def release_subject(self) -> str:
        """The GitHub OIDC ``sub`` claim of a workflow run on the release branch."""
        return f"repo:{self.github_owner}/{self.github_repo}:ref:refs/heads/{self.git_revision}"


@dataclass(frozen=True, kw_only=True)
class GitOpsConfig:
    """Argo CD: the EKS managed capability when an IAM Identity Center instance is set, else its Helm chart."""

    platform_path: str  # the app-of-apps directory the root Application syncs, e.g. k8s/platform/dev
    identity_center_instance_arn: str | None
    identity_center_region: str | None = None  # where the Identity Center instance lives; default: the stack's
    argocd_admin_group_ids: tuple[str, ...] = ()  # Identity Center group ids given Argo CD's ADMIN role

    @property
    def managed_capability(self) -> bool:
        return bool(self.identity_center_instance_arn)


@dataclass(frozen=True, kw_only=True)
class MetricsConfig:
    """Amazon Managed Prometheus and its managed scraper of the services' /metrics."""

    scrape_interval_seconds: int
    workload_namespace: str = "tlj"  # pods scraped when annotated prometheus.io/scrape: "true"

    def __post_init__(self) -> None:
        if self.scrape_interval_seconds < 30:
            raise ValueError("AMP managed scrapers accept no scrape interval under 30 seconds")


@dataclass(frozen=True, kw_only=True)
class FunctionsConfig:
    """Defaults of every Lambda function, applied by ``stacks/constructs/lambda_factory.py``."""

    python_runtime: str  # a Lambda runtime id; cdk-nag's AwsSolutions-L1 accepts only the newest Python it knows
    powertools_version: str  # the aws-lambda-powertools release the code is tested with (requirements-dev.txt)
    # The official public Powertools layer (arm64, this runtime, this version). None: CloudFormation resolves it at
    # deploy time from the public SSM parameter AWS publishes for exactly that, in the stack's region.
    powertools_layer_arn: str | None
    log_retention_days: int


@dataclass(frozen=True, kw_only=True)
class RecommendationConfig:
    """The recommendation API (API Gateway + Lambda) and the Orders-stream indexer."""

    api_reserved_concurrency: int
    indexer_reserved_concurrency: int
    api_throttle_rate: int  # requests per second for the whole stage, steady state
    api_throttle_burst: int
    waf: bool  # a WAFv2 web ACL (AWS managed rule groups and a per-IP rate limit) on the API stage
    api_memory_mb: int = 512
    api_timeout_seconds: int = 6
    indexer_memory_mb: int = 256
    indexer_timeout_seconds: int = 60
    stream_batch_size: int = 100
    stream_retry_attempts: int = 4  # then bisected batches give up and the record goes to the on-failure queue
    stream_max_record_age_hours: int = 6


WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
BAKERY_HOURS = tuple((day, "07:00", "22:00") for day in WEEK)  # lambdas/call_center/settings.py defaults to these
CONNECT_ALIAS_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True, kw_only=True)
class CallCenterConfig:
    """Amazon Connect: the instance, store hours, the agent queue, the inbound flow and its lookup Lambda."""

    instance_alias: str  # globally unique across AWS: it is the host name of the instance's access URL
    language: str  # "ko" or "en": the prompts and the Lambda's answers
    voice: str  # Amazon Polly voice: Seoyeon for Korean, Joanna for English
    voice_engine: str = "Neural"
    hours: tuple[tuple[str, str, str], ...] = BAKERY_HOURS  # (day, opens, closes), store-local, closing exclusive
    time_zone: str = "Asia/Seoul"
    # Claim a number and route it to the inbound flow (a custom resource: CloudFormation cannot associate them).
    claim_number: bool = False
    phone_number_country: str = "KR"
    phone_number_type: str = "DID"
    contact_lens: bool = False
    queue_max_contacts: int | None = None  # None: the instance's concurrent-calls quota
    lambda_timeout_seconds: int = 5  # below the flow's block limit; leaves room for a cold start's init phase
    lambda_block_timeout_seconds: int = 8  # InvocationTimeLimitSeconds of the flow's Lambda block; Connect's max is 8
    lambda_budget_ms: int = 3000  # the Lambda's own deadline: it skips optional lookups to answer within this
    lambda_memory_mb: int = 512
    lambda_reserved_concurrency: int = 2
    input_timeout_seconds: int = 5  # a menu waits this long for a key
    menu_retries: int = 2  # the menu is replayed at most this often after a timeout or an invalid key

    def __post_init__(self) -> None:
        alias = self.instance_alias
        if not 1 <= len(alias) <= 45 or not set(alias) <= CONNECT_ALIAS_CHARS or alias[0] == "-" or alias[-1] == "-":
            raise ValueError(f"instance_alias must be 1-45 lowercase letters, digits or inner hyphens, got {alias!r}")
        if self.language not in ("ko", "en"):
            raise ValueError(f"language must be 'ko' or 'en', got {self.language!r}")
        if not 0 < self.lambda_timeout_seconds < self.lambda_block_timeout_seconds <= 8:
            raise ValueError("the Lambda timeout must be below the flow's block limit, which is at most 8 s")
        if not 0 < self.lambda_budget_ms < self.lambda_timeout_seconds * 1000:
            raise ValueError("the Lambda's time budget must be below its timeout")


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    name: str  # "dev" | "prod"
    stack_name: str
    account: str | None
    region: str
    network: NetworkConfig
    cluster: ClusterConfig
    data: DataConfig
    functions: FunctionsConfig
    recommendation: RecommendationConfig
    delivery: DeliveryConfig
    gitops: GitOpsConfig
    metrics: MetricsConfig
    call_center: CallCenterConfig
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
        delivery, gitops = self._release_overrides(overrides)
        return replace(
            self,
            account=overrides.get("account") or self.account,
            region=overrides.get("region") or self.region,
            cluster=cluster,
            delivery=delivery,
            gitops=gitops,
        )

    def _release_overrides(self, overrides: dict[str, Any]) -> tuple[DeliveryConfig, GitOpsConfig]:
        delivery = replace(
            self.delivery,
            github_owner=overrides.get("github_owner") or self.delivery.github_owner,
            github_repo=overrides.get("github_repo") or self.delivery.github_repo,
        )
        if "create_github_oidc_provider" in overrides:
            create = str(overrides["create_github_oidc_provider"]).strip().lower() not in ("false", "no", "0", "")
            delivery = replace(delivery, create_github_oidc_provider=create)
        gitops = self.gitops
        if "identity_center_instance_arn" in overrides:
            gitops = replace(gitops, identity_center_instance_arn=overrides["identity_center_instance_arn"] or None)
        if "argocd_admin_group_ids" in overrides:
            ids = tuple(g.strip() for g in str(overrides["argocd_admin_group_ids"]).split(",") if g.strip())
            gitops = replace(gitops, argocd_admin_group_ids=ids)
        return delivery, gitops


SEOUL_AZS = ("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d")

# A documentation range (RFC 5737): nothing can reach the dev API endpoint until an operator sets real CIDRs.
PLACEHOLDER_ADMIN_CIDR = "192.0.2.0/24"

# This repository on GitHub (placeholders, like k8s/platform's Applications): override with
# `-c github_owner=... -c github_repo=...`; the release role trusts only workflow runs of its release branch.
GITHUB_OWNER = "OWNER"
GITHUB_REPO = "tlj-platform"

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
    functions=FunctionsConfig(
        python_runtime="python3.14", powertools_version="3.37.0", powertools_layer_arn=None, log_retention_days=7
    ),
    recommendation=RecommendationConfig(
        api_reserved_concurrency=5,
        indexer_reserved_concurrency=2,
        api_throttle_rate=20,
        api_throttle_burst=40,
        waf=False,
    ),
    delivery=DeliveryConfig(
        github_owner=GITHUB_OWNER,
        github_repo=GITHUB_REPO,
        git_revision="main",
        create_github_oidc_provider=True,
        image_retention_count=10,
        untagged_image_expiry_days=3,
    ),
    gitops=GitOpsConfig(platform_path="k8s/platform/dev", identity_center_instance_arn=None),
    metrics=MetricsConfig(scrape_interval_seconds=30),
    call_center=CallCenterConfig(instance_alias="tlj-dev-bakery-calls", language="ko", voice="Seoyeon"),
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
    functions=FunctionsConfig(
        python_runtime="python3.14", powertools_version="3.37.0", powertools_layer_arn=None, log_retention_days=90
    ),
    recommendation=RecommendationConfig(
        api_reserved_concurrency=50,
        indexer_reserved_concurrency=4,
        api_throttle_rate=200,
        api_throttle_burst=400,
        waf=True,
    ),
    delivery=DeliveryConfig(
        github_owner=GITHUB_OWNER,
        github_repo=GITHUB_REPO,
        git_revision="main",
        create_github_oidc_provider=True,
        image_retention_count=30,
        untagged_image_expiry_days=7,
    ),
    gitops=GitOpsConfig(platform_path="k8s/platform/prod", identity_center_instance_arn=None),
    metrics=MetricsConfig(scrape_interval_seconds=30),
    call_center=CallCenterConfig(
        instance_alias="tlj-prod-bakery-calls",
        language="ko",
        voice="Seoyeon",
        claim_number=True,
        contact_lens=True,
        queue_max_contacts=50,
        lambda_reserved_concurrency=20,
    ),
    termination_protection=True,
)

ENVIRONMENTS = (DEV, PROD)
