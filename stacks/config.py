"""Environment configuration: data, not code. DevStack and ProdStack differ only in the object they get.

Values that depend on the AWS account (account id, admin role, allowed CIDRs) are overridden from CDK context
in ``app.py``, the only place that reads context or environment variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    cidr: str
    availability_zones: tuple[str, ...]
    nat_gateways: int
    interface_endpoints: tuple[str, ...]  # ec2.InterfaceVpcEndpointAwsService attribute names
    flow_log_retention_days: int
    # Interface endpoints (these and Grafana's) get their network interfaces in the first this-many zones; None:
    # every zone. Each endpoint is billed per zone-hour ("You will be billed for each hour that your VPC endpoint
    # remains provisioned in each Availability Zone", https://aws.amazon.com/privatelink/pricing/), and a request
    # from another zone reaches an interface there through the endpoint's regional DNS name. With one NAT gateway
    # (in the first zone: CDK places NAT gateways in the public subnets in order) an environment already depends on
    # that zone for every AWS call that leaves the VPC, so endpoints in that zone alone add no new failure mode.
    endpoint_zones: int | None = None

    def __post_init__(self) -> None:
        if self.endpoint_zones is not None and not 1 <= self.endpoint_zones <= len(self.availability_zones):
            raise ValueError(f"endpoint_zones must be 1..{len(self.availability_zones)}, got {self.endpoint_zones}")
        if self.endpoint_zones is not None and self.nat_gateways > self.endpoint_zones:
            raise ValueError("endpoints in fewer zones than NAT gateways would add a zone dependency")

    @property
    def endpoint_availability_zones(self) -> tuple[str, ...]:
        """The zones the interface endpoints are placed in (the first ``endpoint_zones``, or all)."""
        return self.availability_zones[: self.endpoint_zones or len(self.availability_zones)]


@dataclass(frozen=True, kw_only=True)
class ClusterConfig:
    kubernetes_version: str  # e.g. "1.34"; must exist in aws_eks_v2.KubernetesVersion
    # The API endpoint is private; it is also public, but only to these CIDRs, when any are configured.
    public_access_cidrs: tuple[str, ...]
    admin_role_arn: str | None  # gets the EKS cluster-admin access policy when set
    log_retention_days: int
    # A regional WAFv2 web ACL for the public ALB (AWS managed rule groups, a per-IP rate limit); the Ingress names
    # it with alb.ingress.kubernetes.io/wafv2-acl-arn, which EKS Auto Mode supports ("Use WAF v2 instead" of the
    # classic annotations, EKS user guide "Create an IngressClass to configure an Application Load Balancer").
    ingress_web_acl: bool = False

    def __post_init__(self) -> None:
        for cidr in self.public_access_cidrs:
            if cidr.endswith("/0"):
                raise ValueError(f"the EKS API endpoint must not be open to {cidr}: configure admin CIDRs")

    @property
    def public_endpoint(self) -> bool:
        return bool(self.public_access_cidrs)


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    retain: bool  # RetainExceptOnCreate + deletion protection (prod) or DESTROY (dev)
    # Daily AWS Backup recovery points in a vault, kept this long; None: no vault at all. A vault that holds
    # recovery points cannot be deleted (AWS Backup DeleteBackupVault), so `cdk destroy` of a disposable environment
    # would fail; PITR (35 days, to the second) covers dev.
    backup_retention_days: int | None


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    """Images in ECR, pushed by GitHub Actions through OIDC from one repository.

    Until ``github_owner`` is configured (``-c github_owner=...``) nothing trusts or syncs from GitHub: there is no
    release role and no root Application, because a placeholder owner is a name anyone could register.
    """

    github_owner: str | None
    github_repo: str
    git_revision: str  # the branch releases are built from and Argo CD follows
    # The protected GitHub environment whose jobs may assume the release role (its OIDC `sub` is
    # repo:<owner>/<repo>:environment:<name>, GitHub docs "About security hardening with OpenID Connect"); None: the
    # role trusts runs on `git_revision` instead.
    github_environment: str | None
    # Repositories (this prefix + image) in the same account whose images the release role may pull: prod's
    # promotion copies the very digests that ran in dev.
    promotion_source_prefix: str | None
    image_retention_count: int  # ECR keeps this many newest images of each repository
    untagged_image_expiry_days: int

    def __post_init__(self) -> None:
        for name in ("github_owner", "github_repo", "git_revision", "github_environment"):
            value = getattr(self, name)
            if value is None and name in ("github_owner", "github_environment"):
                continue
            if not value or any(c in value for c in "*?/: "):
                raise ValueError(f"{name} must be one exact name (no wildcard, slash or colon), got {value!r}")

    @property
    def configured(self) -> bool:
        return self.github_owner is not None

    @property
    def repo_url(self) -> str | None:
        """The repository Argo CD syncs, or None while no owner is configured."""
        return f"https://github.com/{self.github_owner}/{self.github_repo}.git" if self.configured else None

    @property
    def release_subject(self) -> str | None:
        """The GitHub OIDC ``sub`` claim the release role trusts: the protected environment, else the branch."""
        if not self.configured:
            return None
        repo = f"repo:{self.github_owner}/{self.github_repo}"
        if self.github_environment:
            return f"{repo}:environment:{self.github_environment}"
        return f"{repo}:ref:refs/heads/{self.git_revision}"


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
    scrape_ports: tuple[int, ...] = (9090,)  # the pods' prometheus.io/port values; the scraper may reach these
    # Container ports of the platform's exporters (k8s/platform/base): kube-state-metrics' `http` (moved off the
    # chart's 8080, which is the gateway's API port, so the scraper's security group does not open that) and the
    # Argo Rollouts controller's `metrics`.
    kube_state_metrics_port: int = 8085
    rollouts_metrics_port: int = 8090
    # Days AMP keeps samples (WorkspaceConfiguration.RetentionPeriodInDays, at most 1095: AMP user guide, "Configure
    # your workspace"); None: AMP's default, 150 days. Stored samples are billed per GB-month.
    retention_days: int | None = None

    def __post_init__(self) -> None:
        if self.retention_days is not None and not 1 <= self.retention_days <= 1095:
            raise ValueError("AMP keeps samples 1 to 1095 days")
        if self.scrape_interval_seconds < 30:
            raise ValueError("AMP managed scrapers accept no scrape interval under 30 seconds")

    @property
    def platform_scrape_ports(self) -> tuple[int, ...]:
        return (self.kube_state_metrics_port, self.rollouts_metrics_port)


@dataclass(frozen=True, kw_only=True)
class GrafanaConfig:
    """Amazon Managed Grafana: one workspace per environment, its data sources and the committed dashboards.

    Users sign in through IAM Identity Center (``AWS_SSO``, which must be enabled before the first deploy; `make
    preflight` checks it) or, as the alternative, through a SAML 2.0 identity provider (``-c
    grafana_saml_metadata_url=...``). Identity Center groups in ``admin_group_ids`` are made Grafana admins.
    """

    # Must match the grafana-foundation-sdk build pinned in requirements-dev.txt (its 10.4 build generates the
    # dashboards); `make preflight` checks that AMG offers this version (ListVersions).
    grafana_version: str = "10.4"
    admin_group_ids: tuple[str, ...] = ()  # Identity Center group ids given the Grafana Admin role
    saml_metadata_url: str | None = None  # set: SAML instead of IAM Identity Center
    saml_admin_role_values: tuple[str, ...] = ("grafana-admin",)  # values of the assertion's "role" attribute
    # Lifetime of the provisioner's service-account token: it is made, used and deleted within one invocation;
    # should the deletion itself fail, Grafana refuses the token after this many seconds anyway.
    token_seconds_to_live: int = 300
    # Managed Grafana bills each active editor or admin $9 and each active viewer $5 a month, per workspace, and every
    # workspace at least one editor licence "even if no users log in" (https://aws.amazon.com/grafana/pricing/).
    # The admin groups are the only users this app assigns (Admin role: the editor licence); None: no limit.
    max_admin_groups: int | None = None

    def __post_init__(self) -> None:
        if self.max_admin_groups is not None and len(self.admin_group_ids) > self.max_admin_groups:
            raise ValueError(
                f"at most {self.max_admin_groups} grafana_admin_group_ids here (each active member is an editor "
                f"licence), got {len(self.admin_group_ids)}"
            )
        if self.saml_metadata_url is not None and not self.saml_metadata_url.startswith("https://"):
            raise ValueError(f"grafana_saml_metadata_url must be an https:// URL, got {self.saml_metadata_url!r}")
        if self.saml_metadata_url is not None and self.admin_group_ids:
            raise ValueError("grafana_admin_group_ids are IAM Identity Center groups: they need AWS_SSO, not SAML")
        # CreateWorkspaceServiceAccountToken accepts 1..2592000 s (Managed Grafana API reference); we want minutes
        if not 60 <= self.token_seconds_to_live <= 3600:
            raise ValueError("token_seconds_to_live must be between 60 and 3600 seconds: short-lived, yet usable")

    @property
    def authentication(self) -> str:
        return "SAML" if self.saml_metadata_url else "AWS_SSO"


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

    # None reserves nothing: a new account's concurrency quota can be 10, and Lambda keeps 100 unreserved
    # (PutFunctionConcurrency API reference), so any reservation fails there. `make preflight` checks the quota.
    api_reserved_concurrency: int | None
    indexer_reserved_concurrency: int | None
    api_throttle_rate: int  # requests per second for the whole stage, steady state
    api_throttle_burst: int
    # Lambda allocates CPU in proportion to memory, one vCPU at 1,769 MB ("Configure Lambda function memory"):
    # the API's cold init (settings, clients, the resolver; ~0.3 s of CPU on one core) is ~3x slower at 512 MB.
    api_memory_mb: int = 1024
    api_timeout_seconds: int = 6
    indexer_memory_mb: int = 256
    indexer_timeout_seconds: int = 60
    stream_batch_size: int = 100
    stream_retry_attempts: int = 4  # then bisected batches give up and the record goes to the on-failure queue
    stream_max_record_age_hours: int = 6


EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


@dataclass(frozen=True, kw_only=True)
class AlarmsConfig:
    """CloudWatch alarms (``stacks/constructs/observability.py``): thresholds are data; prod is stricter."""

    email: str | None = None  # `-c alarm_email=...`: subscribed to the alarm topic; None: no subscription
    api_5xx_rate_percent: float  # 5xx responses / requests of the recommendation API, per 5-minute period
    api_latency_p99_ms: int
    lambda_errors: int  # errors per 5 minutes above which a function alarms (0: any error)
    lambda_throttles: int
    lambda_duration_percent_of_timeout: int  # p99 duration against the function's own timeout
    iterator_age_seconds: int  # the indexer's Orders-stream iterator age
    dynamodb_throttled_requests: int
    waf_blocked_requests: int  # blocked requests per 5 minutes: a spike, not the everyday scanner noise
    connect_missed_calls: int
    evaluation_periods: int = 1

    def __post_init__(self) -> None:
        if self.email is not None and not EMAIL.match(self.email):
            raise ValueError(f"alarm_email must be one email address, got {self.email!r}")
        if not 0 < self.api_5xx_rate_percent <= 100 or not 0 < self.lambda_duration_percent_of_timeout <= 100:
            raise ValueError("percentages must be in (0, 100]")


WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
BAKERY_HOURS = tuple((day, "07:00", "22:00") for day in WEEK)  # lambdas/call_center/settings.py defaults to these
# Connect's CreateInstance: InstanceAlias "^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$", 1-45 characters (API reference).
CONNECT_ALIAS = re.compile(r"^(?!d-)[0-9a-z]+(-*[0-9a-z])*$")
PHONE_NUMBER_ARN = re.compile(
    r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:(instance/[0-9a-f-]+/)?phone-number/[0-9a-f-]+$"
)


MAX_QUEUE_WAIT_SECONDS = 3600
# Recordings are personal data (a caller's voice): kept only as long as a dispute or a quality review needs them.
MAX_RECORDING_RETENTION_DAYS = 365


@dataclass(frozen=True, kw_only=True)
class CallCenterConfig:
    """Amazon Connect: the instance, store hours, the agent queue, the inbound flow and its lookup Lambda."""

    # Globally unique across AWS (the host name of the instance's access URL): the deployer's choice,
    # `-c prod:connect_instance_alias=acme-bakery-calls`.
    instance_alias: str
    language: str  # "ko" or "en": the prompts and the Lambda's answers
    voice: str  # Amazon Polly voice: Seoyeon for Korean, Joanna for English
    voice_engine: str = "Neural"
    hours: tuple[tuple[str, str, str], ...] = BAKERY_HOURS  # (day, opens, closes), store-local, closing exclusive
    time_zone: str = "Asia/Seoul"
    # An existing number (claimed or ported in the console: Korean numbers need documents and a support case, see
    # README) routed to the inbound flow by a custom resource, since CloudFormation cannot associate them. No number
    # is ever claimed by the stack.
    phone_number_arn: str | None = None
    contact_lens: bool = False
    queue_max_contacts: int | None = None  # None: the instance's concurrent-calls quota
    lambda_timeout_seconds: int = 5  # below the flow's block limit; leaves room for a cold start's init phase
    lambda_block_timeout_seconds: int = 8  # InvocationTimeLimitSeconds of the flow's Lambda block; Connect's max is 8
    lambda_budget_ms: int = 3000  # the Lambda's own deadline: it skips optional lookups to answer within this
    # One full vCPU (1,769 MB, "Configure Lambda function memory"): a cold init (~0.5 s of CPU on one core) would
    # take well over a second at 512 MB (~0.29 vCPU) while a caller waits; a call costs fractions of a cent either way.
    lambda_memory_mb: int = 1769
    lambda_reserved_concurrency: int | None = None  # None reserves nothing (see RecommendationConfig)
    input_timeout_seconds: int = 5  # a menu waits this long for a key
    menu_retries: int = 2  # the menu is replayed at most this often after a timeout or an invalid key
    # The customer queue (stacks/assets/contact_flows/customer_queue.json): the longest wait before the caller is
    # offered a callback (or, without callbacks, told so and let go), the queue wait above which the callback is
    # offered before queueing, and the interval of the comfort messages while waiting.
    queue_max_wait_seconds: int = 600
    queue_long_wait_seconds: int = 120
    queue_comfort_seconds: int = 30
    # Queued callbacks (see `callback_enabled`): Connect calls the customer back from the queue's outbound caller ID.
    callbacks: bool = True
    # False: the inbound flow turns flow logging off around the lookup and the blocks that hold its personal answer
    # (name, order), so none of it reaches the flow-log group.
    flow_logs_during_lookup: bool = True
    # Call recordings and Contact Lens output (only with contact_lens): the bucket expires every object after this
    # many days, and the contact-record stream keeps records this many hours.
    recording_retention_days: int = 90
    contact_records_retention_hours: int = 24

    def __post_init__(self) -> None:
        alias = self.instance_alias
        if not 1 <= len(alias) <= 45 or not CONNECT_ALIAS.match(alias):
            raise ValueError(
                f"instance_alias must be 1-45 lowercase letters, digits or inner hyphens, not starting with 'd-' "
                f"(Connect's rule), got {alias!r}"
            )
        if self.phone_number_arn is not None and not PHONE_NUMBER_ARN.match(self.phone_number_arn):
            raise ValueError(
                f"connect_phone_number_arn must be a Connect phone-number ARN, got {self.phone_number_arn!r}"
            )
        if self.language not in ("ko", "en"):
            raise ValueError(f"language must be 'ko' or 'en', got {self.language!r}")
        if not 0 < self.lambda_timeout_seconds < self.lambda_block_timeout_seconds <= 8:
            raise ValueError("the Lambda timeout must be below the flow's block limit, which is at most 8 s")
        if not 0 < self.lambda_budget_ms < self.lambda_timeout_seconds * 1000:
            raise ValueError("the Lambda's time budget must be below its timeout")
        self._check_queue()
        self._check_recordings()

    @property
    def callback_enabled(self) -> bool:
        """Callbacks are offered only with a number: a queued callback dials out from the queue's outbound caller ID
        (Connect admin guide, "Set up queued callback"), and the stack never claims a number."""
        return self.callbacks and self.phone_number_arn is not None

    def _check_queue(self) -> None:
        if not 0 < self.queue_comfort_seconds < self.queue_max_wait_seconds:
            raise ValueError("queue_comfort_seconds must be above 0 and below queue_max_wait_seconds")
        if not 0 < self.queue_long_wait_seconds <= self.queue_max_wait_seconds:
            raise ValueError("queue_long_wait_seconds must be above 0 and at most queue_max_wait_seconds")
        # Our rule, not Connect's: nobody should wait in a bakery's queue for more than an hour without an answer.
        if self.queue_max_wait_seconds > MAX_QUEUE_WAIT_SECONDS:
            raise ValueError(f"queue_max_wait_seconds must be at most {MAX_QUEUE_WAIT_SECONDS}")

    def _check_recordings(self) -> None:
        if not 1 <= self.recording_retention_days <= MAX_RECORDING_RETENTION_DAYS:
            raise ValueError(f"recording_retention_days must be 1 to {MAX_RECORDING_RETENTION_DAYS}")
        # Kinesis keeps records 24 hours by default and at most 8760 (Kinesis Data Streams developer guide,
        # "Change the data retention period"); hours above 24 are billed as extended retention.
        if not 24 <= self.contact_records_retention_hours <= 8760:
            raise ValueError("contact_records_retention_hours must be 24 to 8760 (Kinesis' retention range)")


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
    alarms: AlarmsConfig
    termination_protection: bool
    grafana: GrafanaConfig = field(default_factory=GrafanaConfig)
    project: str = "tlj"
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Prefix of physical names, e.g. ``tlj-dev``."""
        return f"{self.project}-{self.name}"

    @property
    def cluster_name(self) -> str:
        """The EKS cluster's name, as PlatformStack names it (``k8s.dev_pause`` checks the kube context against it)."""
        return f"{self.prefix}-cluster"

    def role_name(self, purpose: str) -> str:
        """A fixed IAM role name: IAM is global, so the region is part of it (one stack per region may coexist)."""
        name = f"{self.prefix}-{purpose}-{self.region}"
        if len(name) > 64:
            raise ValueError(f"IAM role names have at most 64 characters, {name!r} has {len(name)}")
        return name

    def with_overrides(self, overrides: dict[str, Any]) -> EnvironmentConfig:
        """A copy with the deploy-time values an operator sets through CDK context (ARCHITECTURE, "Deploy-time
        context"); an empty value clears an optional setting."""
        cluster = self.cluster
        if "admin_role_arn" in overrides:
            cluster = replace(cluster, admin_role_arn=overrides["admin_role_arn"] or None)
        if "public_access_cidrs" in overrides:
            cluster = replace(cluster, public_access_cidrs=_csv(overrides["public_access_cidrs"]))
        call_center = self.call_center
        if overrides.get("connect_instance_alias"):
            call_center = replace(call_center, instance_alias=str(overrides["connect_instance_alias"]))
        if "connect_phone_number_arn" in overrides:
            call_center = replace(call_center, phone_number_arn=overrides["connect_phone_number_arn"] or None)
        delivery = self.delivery
        if "github_owner" in overrides:
            delivery = replace(delivery, github_owner=overrides["github_owner"] or None)
        if overrides.get("github_repo"):
            delivery = replace(delivery, github_repo=str(overrides["github_repo"]))
        gitops = self.gitops
        if "identity_center_instance_arn" in overrides:
            gitops = replace(gitops, identity_center_instance_arn=overrides["identity_center_instance_arn"] or None)
        if "argocd_admin_group_ids" in overrides:
            gitops = replace(gitops, argocd_admin_group_ids=_csv(overrides["argocd_admin_group_ids"]))
        grafana = self.grafana
        if "grafana_admin_group_ids" in overrides:
            grafana = replace(grafana, admin_group_ids=_csv(overrides["grafana_admin_group_ids"]))
        if "grafana_saml_metadata_url" in overrides:
            grafana = replace(grafana, saml_metadata_url=overrides["grafana_saml_metadata_url"] or None)
        alarms = self.alarms
        if "alarm_email" in overrides:
            alarms = replace(alarms, email=overrides["alarm_email"] or None)
        return replace(
            self,
            alarms=alarms,
            account=overrides.get("account") or self.account,
            region=overrides.get("region") or self.region,
            cluster=cluster,
            call_center=call_center,
            delivery=delivery,
            gitops=gitops,
            grafana=grafana,
        )


def _csv(value: object) -> tuple[str, ...]:
    return tuple(item.strip() for item in str(value).split(",") if item.strip())


SEOUL_AZS = ("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d")

# A documentation range (RFC 5737): nothing can reach the dev API endpoint until an operator sets real CIDRs.
PLACEHOLDER_ADMIN_CIDR = "192.0.2.0/24"

# This repository on GitHub. No owner by default: `-c github_owner=...` (and `-c github_repo=...`) names it, and
# until then no role trusts GitHub and Argo CD syncs nothing (a placeholder owner could be registered by anyone).
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
        # Only what nothing else can carry (issue 16): the private REST API is reachable through its execute-api
        # endpoint alone (stacks/constructs/recommendation.py). The rest goes through the NAT gateway, which the
        # pods' aws-apis-egress policy admits (k8s/overlays/dev/patches/network-policies.yaml): STS (Argo Rollouts'
        # IRSA), ECR's API and registry for Auto Mode's image pulls, whose layers come from S3 through the free
        # gateway endpoint ("Amazon ECR uses Amazon S3 to store your image layers", ECR user guide, "Amazon ECR
        # interface VPC endpoints"), so NAT processes only manifests and tokens; nothing in the VPC writes to
        # CloudWatch Logs (Lambda ships its functions' logs itself). Prod keeps all of them private, in every zone.
        interface_endpoints=("APIGATEWAY",),
        flow_log_retention_days=7,
        endpoint_zones=1,  # the NAT gateway's zone: see NetworkConfig.endpoint_zones
    ),
    cluster=ClusterConfig(
        kubernetes_version="1.34",
        public_access_cidrs=(PLACEHOLDER_ADMIN_CIDR,),
        admin_role_arn=None,
        log_retention_days=7,
    ),
    data=DataConfig(retain=False, backup_retention_days=None),
    functions=FunctionsConfig(
        python_runtime="python3.14", powertools_version="3.37.0", powertools_layer_arn=None, log_retention_days=7
    ),
    recommendation=RecommendationConfig(
        api_reserved_concurrency=None,
        indexer_reserved_concurrency=None,
        api_throttle_rate=20,
        api_throttle_burst=40,
    ),
    delivery=DeliveryConfig(
        github_owner=None,
        github_repo=GITHUB_REPO,
        git_revision="main",
        github_environment=None,  # builds on pushes to main
        promotion_source_prefix=None,
        image_retention_count=10,
        untagged_image_expiry_days=3,
    ),
    gitops=GitOpsConfig(platform_path="k8s/platform/dev", identity_center_instance_arn=None),
    # 30 s like prod: the release analyses' rate(x[2m]) windows are sized for two samples per minute
    # (k8s/base/*/analysis-template.yaml), and dev is where releases are rehearsed. A month of history is enough to
    # compare a release with the last ones.
    metrics=MetricsConfig(scrape_interval_seconds=30, retention_days=30),
    # Dev logs whole flows (the lookup included) to debug them; it records nothing (no Contact Lens).
    call_center=CallCenterConfig(
        instance_alias="tlj-dev-bakery-calls", language="ko", voice="Seoyeon", recording_retention_days=7
    ),
    alarms=AlarmsConfig(
        api_5xx_rate_percent=5.0,
        api_latency_p99_ms=3000,
        lambda_errors=5,
        lambda_throttles=5,
        lambda_duration_percent_of_timeout=90,
        iterator_age_seconds=900,
        dynamodb_throttled_requests=10,
        waf_blocked_requests=5000,
        connect_missed_calls=5,
    ),
    # AWS_SSO; `-c dev:grafana_admin_group_ids=...` makes a group admins. One group, meant for one person: dev's bill
    # is then the one editor licence every workspace pays anyway.
    grafana=GrafanaConfig(max_admin_groups=1),
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
        interface_endpoints=(
            "ECR",
            "ECR_DOCKER",
            "STS",
            "CLOUDWATCH_LOGS",
            "CLOUDWATCH_MONITORING",
            "SECRETS_MANAGER",
            "APIGATEWAY",
        ),
        flow_log_retention_days=90,
    ),
    cluster=ClusterConfig(
        kubernetes_version="1.34",
        public_access_cidrs=(),
        admin_role_arn=None,
        log_retention_days=90,
        ingress_web_acl=True,
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
    ),
    delivery=DeliveryConfig(
        github_owner=None,
        github_repo=GITHUB_REPO,
        git_revision="main",
        github_environment="production",  # required reviewers approve each promotion job (README)
        promotion_source_prefix="tlj-dev",
        image_retention_count=30,
        untagged_image_expiry_days=7,
    ),
    gitops=GitOpsConfig(platform_path="k8s/platform/prod", identity_center_instance_arn=None),
    metrics=MetricsConfig(scrape_interval_seconds=30),
    alarms=AlarmsConfig(
        api_5xx_rate_percent=1.0,
        api_latency_p99_ms=1500,
        lambda_errors=0,
        lambda_throttles=0,
        lambda_duration_percent_of_timeout=80,
        iterator_age_seconds=300,
        dynamodb_throttled_requests=0,
        waf_blocked_requests=1000,
        connect_missed_calls=0,
    ),
    call_center=CallCenterConfig(
        instance_alias="tlj-prod-bakery-calls",
        language="ko",
        voice="Seoyeon",
        contact_lens=True,
        # 90 days, like prod's flow and Lambda logs (FunctionsConfig.log_retention_days): a recording can be matched
        # with its call's logs for as long as both exist, and a complaint or a quality review of the last quarter
        # still finds it. Longer would keep callers' voices past that purpose (PIPA: destroy personal information
        # once its purpose is achieved).
        recording_retention_days=90,
        flow_logs_during_lookup=False,  # callers' names and orders never reach prod's flow logs
        queue_max_contacts=50,
        lambda_reserved_concurrency=20,
    ),
    grafana=GrafanaConfig(),
    termination_protection=True,
)

ENVIRONMENTS = (DEV, PROD)
