"""The composition root: one construct per capability, wired together, with cdk-nag acknowledgments."""

from __future__ import annotations

from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs.alerts import Alerts
from stacks.constructs.aws_api_call import AwsApiCalls
from stacks.constructs.backup import Backup
from stacks.constructs.call_center import CallCenter, LookupTables
from stacks.constructs.cluster import Cluster
from stacks.constructs.cluster_addons import ClusterAddons
from stacks.constructs.data import Data
from stacks.constructs.delivery import Delivery
from stacks.constructs.encryption import Encryption
from stacks.constructs.gitops import GitOps
from stacks.constructs.grafana import Grafana
from stacks.constructs.lambda_factory import UNRESERVED_REASON
from stacks.constructs.load_reports import LoadReports
from stacks.constructs.metrics import Metrics
from stacks.constructs.network import Network
from stacks.constructs.observability import Observability
from stacks.constructs.recommendation import Recommendation
from stacks.constructs.signing_key import SigningKey
from stacks.constructs.table_protection import TableProtection
from stacks.constructs.web_acl import WebAcl
from stacks.constructs.workload_identity import WorkloadIdentity
from stacks.nag import (
    EKS_AUTO_MODE_CLUSTER_POLICIES,
    EKS_AUTO_MODE_NODE_POLICIES,
    acknowledge,
    acknowledge_grafana,
    acknowledge_kubectl_provider,
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
        self.backup: Backup | None = None
        if config.data.backup_retention_days is not None:
            self.backup = Backup(
                self,
                "Backup",
                retention_days=config.data.backup_retention_days,
                retain=retain,
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
        self.recommendation = Recommendation(
            self,
            "Recommendation",
            config=config.recommendation,
            functions=config.functions,
            data=config.data,
            prefix=config.prefix,
            network=self.network,
            data_key=self.encryption.data_key,
            logs_key=self.encryption.logs_key,
            orders=self.data.orders,
            catalog_table_name=self.data.catalog.table_name,
        )
        self.data.catalog.grant_read_data(self.recommendation.api_function)
        if self.backup is not None:
            self.backup.plan.add_selection(
                "Recommendations", resources=[backup.BackupResource.from_dynamo_db_table(self.recommendation.table)]
            )
        self.call_center = CallCenter(
            self,
            "CallCenter",
            config=config.call_center,
            functions=config.functions,
            prefix=config.prefix,
            network=self.network,
            logs_key=self.encryption.logs_key,
            retain=retain,
            tables=LookupTables(
                orders=self.data.orders,
                customers=self.data.customers,
                catalog=self.data.catalog,
                recommendations=self.recommendation.table,
                key=self.encryption.data_key,
            ),
        )

        self._release_path(config)
        self.ingress_web_acl: WebAcl | None = None
        if config.cluster.ingress_web_acl:
            self.ingress_web_acl = WebAcl(
                self,
                "IngressWaf",
                name=f"{config.prefix}-ingress",
                logs_key=self.encryption.logs_key,
                log_retention_days=config.functions.log_retention_days,
                retain_logs=retain,
            )
            cdk.CfnOutput(
                self,
                "IngressWebAclArn",
                value=self.ingress_web_acl.web_acl.attr_arn,
                description="alb.ingress.kubernetes.io/wafv2-acl-arn of the login Ingress (k8s/overlays/prod)",
            )
        self.observability = Observability(
            self,
            "Observability",
            config=config.alarms,
            prefix=config.prefix,
            retain=retain,
            api=self.recommendation.api,
            api_stage=self.recommendation.api.deployment_stage.stage_name,
            functions=[
                self.recommendation.api_function,
                self.recommendation.indexer_function,
                self.call_center.function,
            ],
            stream_function=self.recommendation.indexer_function,
            failures=self.recommendation.failures,
            tables=[*self.data.tables.values(), self.recommendation.table],
            connect_instance=self.call_center.instance,
            contact_flow_names=[flow.name for flow in self.call_center.flows.values()],
            web_acl=self.ingress_web_acl.web_acl if self.ingress_web_acl is not None else None,
        )
        # The workspace's rules and Alertmanager, publishing to the topic the CloudWatch alarms use.
        self.alerts = Alerts(
            self,
            "Alerts",
            prefix=config.prefix,
            workspace=self.metrics.workspace,
            topic=self.observability.topic,
            key=self.observability.key,
        )
        self.table_protection: TableProtection | None = None
        if retain:
            calls = self._api_calls()
            self.table_protection = TableProtection(
                self, "TableProtection", tables=[*self.data.tables.values(), self.recommendation.table], calls=calls
            )
            self.table_protection.after([child for child in self.node.children if child is not calls.provider])

        cdk.Tags.of(self).add("project", config.project)
        cdk.Tags.of(self).add("environment", config.name)
        for key, value in config.tags.items():
            cdk.Tags.of(self).add(key, value)

        self._acknowledge_findings()
        skip_checkov_on_cdk_providers(self)

    @property
    def availability_zones(self) -> list[str]:
        """The configured zones: CDK would otherwise ask for an availability-zones context lookup as soon as the
        account is concrete (CDK API reference, Stack.availabilityZones: override it "to return the AZs" you want)."""
        return list(self.config.network.availability_zones)

    def _api_calls(self) -> AwsApiCalls:
        return AwsApiCalls.ensure(
            self,
            vpc=self.network.vpc,
            logs_key=self.encryption.logs_key,
            log_retention_days=self.config.functions.log_retention_days,
            retain=self.config.data.retain,
        )

    def _release_path(self, config: EnvironmentConfig) -> None:
        """Images, workload identities, GitOps and the metrics that release analysis reads (issue 4)."""
        retain = config.data.retain
        key = self.encryption.data_key
        cluster = cast(eks.ICluster, self.cluster.cluster)  # jsii's typing misses that Cluster is an ICluster
        self.delivery = Delivery(
            self,
            "Delivery",
            config=config.delivery,
            prefix=config.prefix,
            role_name=config.role_name("github-release"),
            key=key,
            retain=retain,
        )
        self.signing_key = SigningKey(self, "SigningKey", prefix=config.prefix, key=key, retain=retain)
        self.workloads = WorkloadIdentity(
            self,
            "WorkloadIdentity",
            cluster=cluster,
            role_name=config.role_name,
            namespace=config.metrics.workload_namespace,
        )
        # Least privilege per service account: login owns customers and throttle and reads its key; order
        # owns orders and reads the menu. Neither can touch the other's tables
        # (tests/infrastructure/test_workloads_identity.py).
        self.data.customers.grant_read_write_data(self.workloads.login)
        self.data.throttle.grant_read_write_data(self.workloads.login)  # failed-login and signup counters
        self.signing_key.secret.grant_read(self.workloads.login)
        self.signing_key.email_hash_secret.grant_read(self.workloads.login)
        self.data.orders.grant_read_write_data(self.workloads.order)
        self.data.catalog.grant_read_data(self.workloads.order)
        self.recommendation.grant_invoke(self.workloads.login)  # the gateway's SigV4 calls to GET /recommendations
        # The load test's reports (k8s/loadtest): its master Job may only put objects under runs/ (issue 12).
        self.load_reports = LoadReports(
            self,
            "LoadReports",
            prefix=config.prefix,
            cluster=cluster,
            role_name=config.role_name("loadgen"),
            key=key,
            retain=retain,
        )
        self.cluster_addons = ClusterAddons(
            self, "ClusterAddons", cluster=cluster, kubernetes_version=config.cluster.kubernetes_version
        )
        self.metrics = Metrics(
            self,
            "Metrics",
            config=config.metrics,
            prefix=config.prefix,
            role_name=config.role_name,
            cluster=cluster,
            cluster_name=f"{config.prefix}-cluster",
            oidc_provider=self.cluster.oidc_provider,
            vpc=self.network.vpc,
            # The isolated subnets: k8s NetworkPolicies admit the scraper by these CIDRs, which no pod uses.
            subnets=self.network.vpc.isolated_subnets,
            key=key,
            retain=retain,
        )
        self.gitops = GitOps(
            self,
            "GitOps",
            config=config.gitops,
            environment=config.name,
            repo_url=config.delivery.repo_url,
            revision=config.delivery.git_revision,
            cluster=cluster,
            rollouts_identity=self.metrics.rollouts_analysis,
        )
        self.grafana = Grafana(
            self,
            "Grafana",
            config=config.grafana,
            functions=config.functions,
            prefix=config.prefix,
            role_name=config.role_name,
            metrics=self.metrics,
            network=self.network,
            logs_key=self.encryption.logs_key,
            retain=retain,
        )
        outputs = {
            **{
                f"{name.title()}RepositoryUri": repo.repository_uri for name, repo in self.delivery.repositories.items()
            },
            "SigningKeySecretName": self.signing_key.secret_name,
            "AmpWorkspaceId": self.metrics.workspace.attr_workspace_id,
            "AmpQueryUrl": self.metrics.query_url,
            "LoginRoleArn": self.workloads.login.role.role_arn,
            "OrderRoleArn": self.workloads.order.role.role_arn,
            # What `kubectl -n argo-rollouts get sa argo-rollouts` should show as eks.amazonaws.com/role-arn (IRSA).
            "RolloutsAnalysisRoleArn": self.metrics.rollouts_analysis.role_arn,
            "LoadReportsBucketName": self.load_reports.bucket.bucket_name,
            "LoadgenRoleArn": self.load_reports.writer.role.role_arn,
            "GrafanaWorkspaceUrl": self.grafana.url,
            "GrafanaWorkspaceId": self.grafana.workspace.attr_id,
        }
        if self.delivery.release_role is not None:
            outputs["GitHubReleaseRoleArn"] = self.delivery.release_role.role_arn
        if self.gitops.capability is not None:
            outputs["ArgoCdServerUrl"] = self.gitops.capability.attr_configuration_argo_cd_server_url
        for output_id, value in outputs.items():
            cdk.CfnOutput(self, output_id, value=value)

    def _acknowledge_release_path_findings(self) -> None:
        acknowledge_kubectl_provider(self.cluster.cluster.node.find_child("KubectlProvider"))
        acknowledge(
            [self.delivery.release_role] if self.delivery.release_role is not None else [],
            ["AwsSolutions::AwsSolutions-IAM5[Resource::*]"],
            "ecr:GetAuthorizationToken has no resource type (Service Authorization Reference), so it is granted on "
            "'*'; every push and pull action in the same policy is limited to this environment's three repositories.",
        )
        own_tables = [
            ("login", self.workloads.login, self.data.customers),
            ("order", self.workloads.order, self.data.orders),
        ]
        for name, identity, table in own_tables:
            table_id = self.resolve(table.table_arn)["Fn::GetAtt"][0]
            acknowledge(
                [identity.role],
                [
                    f"AwsSolutions::AwsSolutions-IAM5[Resource::<{table_id}.Arn>/index/*]",
                    "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                    "AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
                ],
                f"CDK's grant_read_write_data for the {name} service's own table: index/* covers only that table's "
                "secondary indexes (queries by email or phone), and the KMS wildcards are the data-key variants "
                "DynamoDB calls on that one CMK.",
            )
        acknowledge(
            [self.signing_key.email_hash_secret],
            ["AwsSolutions::AwsSolutions-SMG4", "NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled"],
            "This key only pseudonymises emails in failed-login logs so that one account's failures correlate across "
            "pods and days; it guards no access, and rotating it would only break that correlation.",
        )
        acknowledge(
            [self.signing_key.secret],
            ["AwsSolutions::AwsSolutions-SMG4", "NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled"],
            "Rotating a JWT signing key means publishing the next public key in the JWKS before signing with it and "
            "keeping the old one until its tokens expire: an operator procedure (README, python -m "
            "login_service.key_rotation stage, promote, retire) that the gateway picks up without a restart; a "
            "Secrets Manager rotation Lambda cannot wait for every order service to learn the new key.",
        )

    def _acknowledge_findings(self) -> None:
        """Findings accepted on purpose. Each reason says why, so that a reviewer can disagree with it."""
        self._acknowledge_release_path_findings()
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
            [self.backup.plan] if self.backup is not None else [],
            [
                "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSBackupServiceRolePolicyForBackup]"
            ],
            "AWS Backup's own service-role policy is the documented grant for backup jobs: it covers the "
            "DynamoDB backup and KMS calls per resource type and follows AWS Backup's changes.",
        )
        if self.backup is None:
            acknowledge(
                [*self.data.tables.values(), self.recommendation.table],
                ["NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan"],
                "A disposable environment keeps no AWS Backup vault: a vault holding recovery points cannot be "
                "deleted, so `cdk destroy` would fail (AWS Backup DeleteBackupVault). Point-in-time recovery is on "
                "for every table and restores any second of the last 35 days.",
            )
        self._acknowledge_recommendation_findings()
        self._acknowledge_call_center_findings()
        self._acknowledge_load_report_findings()
        acknowledge_grafana(self.grafana)

    def _acknowledge_load_report_findings(self) -> None:
        """Issue 12: the load test's report bucket, its access-log bucket and the writer role."""
        reports = self.load_reports
        bucket_id = self.resolve(reports.bucket.bucket_arn)["Fn::GetAtt"][0]
        acknowledge(
            [reports.writer.role],
            [f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/runs/*]"],
            "The load test's master writes one new folder per run (runs/<time>-<pod>/), so its only S3 action, "
            "s3:PutObject, names the runs/ prefix of this one bucket: no read, list or delete anywhere.",
        )
        acknowledge(
            [reports.bucket, reports.access_logs],
            ["NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled"],
            "Load-test reports and their access logs are disposable evidence that expires after months; the run "
            "can be repeated at any time, so a second region's copy would protect nothing worth its cost.",
        )
        acknowledge(
            [reports.access_logs],
            ["NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS"],
            "A server access log target is encrypted with S3-managed keys so that S3's log delivery needs no grant "
            "on a customer key; the records are request metadata of the report bucket, never report content.",
        )

    def _acknowledge_call_center_findings(self) -> None:
        """Issue 6: the call center (lookup Lambda, and the phone-number custom resource when a number is claimed)."""
        call_center = self.call_center
        role = call_center.function.role
        account = "<AWS::AccountId>" if cdk.Token.is_unresolved(self.account) else self.account
        partition = "<AWS::Partition>" if cdk.Token.is_unresolved(self.partition) else self.partition
        this_account_ec2 = f"arn:{partition}:ec2:{self.region}:{account}:*/*"
        base_policy = call_center.node.find_child("LookupFunctionBasePolicy")  # the Lambda factory's
        acknowledge(
            [*([role] if role is not None else []), base_policy],
            [
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{this_account_ec2}]",
            ],
            "'*' only where the Service Authorization Reference has no resource type: X-Ray PutTraceSegments and "
            "PutTelemetryRecords (active tracing) and the EC2 Describe calls of a VPC function; the network-interface "
            "writes are limited to this account and region. Its table, index and key rights name their ARNs.",
        )
        acknowledge(
            [role] if role is not None else [],
            ["NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy"],
            "The only inline statement is the X-Ray write that CDK adds for active tracing (no resource type exists "
            "for it); everything the lookup reads is in its own managed policy, LookupReads.",
        )
        acknowledge(
            [call_center.function],
            ["Serverless::Serverless-LambdaDLQ", "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ"],
            "Amazon Connect invokes the lookup synchronously and takes the flow's error branch (an apology, then the "
            "queue or a goodbye) when it fails; nothing is ever invoked asynchronously, so a DLQ would stay empty.",
        )
        self._acknowledge_api_calls(this_account_ec2)

    def _acknowledge_api_calls(self, this_account_ec2: str) -> None:
        """CDK's AwsCustomResource provider: the prefix-list lookup, the phone-number route, table protection."""
        calls = AwsApiCalls.of(self)
        if calls is None:
            return
        acknowledge(
            [calls.role, calls.policy, calls.provider],
            [
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{this_account_ec2}]",
                "Serverless::Serverless-LambdaDLQ",
                "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
                "NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency",
                "Serverless::Serverless-LambdaTracing",
            ],
            "CDK's AwsCustomResource provider is CDK's own code, run by CloudFormation synchronously during "
            "deployments only (failures roll back, so a DLQ stays empty; a concurrency reservation would only shrink "
            "the account pool). '*' is limited to calls without a resource type (ec2:DescribeManagedPrefixLists "
            "and the EC2 Describe calls of a VPC function); every other statement names its table, number or flow.",
        )

    def _acknowledge_recommendation_findings(self) -> None:
        reco = self.recommendation
        functions = [reco.api_function, reco.indexer_function]
        roles = [function.role for function in functions if function.role is not None]
        base_policies = [child for child in reco.node.children if isinstance(child, iam.ManagedPolicy)]
        # cdk-nag names unresolved pseudo parameters <AWS::...> in finding ids.
        partition, region, account = (
            f"<AWS::{name}>" if cdk.Token.is_unresolved(value) else value
            for name, value in (("Partition", self.partition), ("Region", self.region), ("AccountId", self.account))
        )
        this_account_ec2 = f"arn:{partition}:ec2:{region}:{account}:*/*"
        acknowledge(
            [*roles, *base_policies],
            [
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{this_account_ec2}]",
            ],
            "Only actions without resource-level permissions get '*': X-Ray PutTraceSegments/PutTelemetryRecords, "
            "dynamodb:ListStreams (the stream event source) and the EC2 Describe calls. The network-interface "
            "writes Lambda makes for a VPC function are limited to this account and region, the narrowest form the "
            "Lambda developer guide documents. Table, stream, key and queue rights name their ARNs.",
        )
        acknowledge(
            [reco.indexer_function.role] if reco.indexer_function.role else [],
            [
                "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
            ],
            "The indexer writes to a table and sends to a queue that are encrypted with the data key; these are the "
            "KMS actions of CDK's encrypt/decrypt grant, on that one key's ARN only.",
        )
        acknowledge(
            roles,
            ["NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy"],
            "The grant_* calls of the composition root attach least-privilege statements to one function's own "
            "role; they are not reusable policies, and a managed policy per grant would only add resources.",
        )
        acknowledge(
            functions,
            ["Serverless::Serverless-LambdaDLQ", "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ"],
            "Neither function is invoked asynchronously, so a function DLQ would never receive anything: API Gateway "
            "calls the API synchronously, and the stream mapping sends failed records to its own on-failure queue.",
        )
        acknowledge(
            [reco.failures],
            ["AwsSolutions::AwsSolutions-SQS3", "Serverless::Serverless-SQSRedrivePolicy"],
            "This queue is itself the end of the line: the stream mapping's on-failure destination, holding pointers "
            "to Orders-stream records for an operator to inspect and replay. Nothing consumes it automatically.",
        )
        acknowledge(
            [reco.api],
            ["AwsSolutions::AwsSolutions-COG4"],
            "The API is service to service: only the login gateway calls it, with SigV4 and its pod role (IAM "
            "authorization). Customers authenticate to the gateway, which passes the token's subject, never a token.",
        )
        acknowledge(
            [reco.api.deployment_stage],
            [
                "NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted",
                "NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled",
            ],
            "No stage cache: answers are per customer, basket and time of day and must change right after an order. "
            "No client certificate: it authenticates API Gateway to HTTP backends, and this backend is a Lambda "
            "proxy integration that API Gateway invokes through IAM.",
        )
        acknowledge(
            [reco.api.deployment_stage],
            ["AwsSolutions::AwsSolutions-APIG3", "NIST.800.53.R5::NIST.800.53.R5-APIGWAssociatedWithWAF"],
            "The API is PRIVATE: reachable only through this VPC's execute-api endpoint (resource policy on "
            "aws:SourceVpce), only with SigV4 from the gateway's pod role, throttled per stage. A web ACL here would "
            "see only requests our gateway built, and its per-IP rule would count pod addresses; the public edge, "
            "the login ALB, carries the web ACL instead (prod).",
        )
        self._acknowledge_unreserved_concurrency()

    def _acknowledge_unreserved_concurrency(self) -> None:
        """Functions that reserve no concurrency on purpose (dev): reservations fail in a new account."""
        reservations = {
            self.recommendation.api_function: self.config.recommendation.api_reserved_concurrency,
            self.recommendation.indexer_function: self.config.recommendation.indexer_reserved_concurrency,
            self.call_center.function: self.config.call_center.lambda_reserved_concurrency,
        }
        acknowledge(
            [function for function, reserved in reservations.items() if reserved is None],
            ["NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency"],
            f"{UNRESERVED_REASON} The API stage's throttling bounds the load; prod reserves, and `make preflight` "
            "checks its quota.",
        )
