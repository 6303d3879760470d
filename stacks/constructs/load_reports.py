"""Where the load test on EKS leaves its report: an encrypted bucket and the Pod Identity role that writes to it.

The master Job of ``k8s/loadtest`` (service account ``loadtest/loadgen``) runs ``python -m loadgen.upload``, which
puts ``report.html``, the stats CSVs and ``summary.json`` under ``runs/<time>-<pod>/``. Its role may do exactly
that: ``s3:PutObject`` under ``runs/`` (no read, no delete, no listing) and the one KMS call S3 makes on its behalf
to encrypt. People read the reports with their own credentials (README, "Load test on EKS").

The bucket's server access logs go to a second bucket of this construct, encrypted with S3-managed keys: a KMS log
target works only once the key policy lets the logging service use the key (aws-cdk#25350, which removed CDK's check
for it), and these request records hold no report content. ACLs are disabled on both buckets, so S3 delivers the
logs under a bucket policy for its logging service principal (S3 user guide, "Enabling Amazon S3 server access
logging": with Bucket owner enforced, grant logging.s3.amazonaws.com in the target's bucket policy).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.constructs.removal import removal_policy
from stacks.constructs.workload_identity import PodIdentity

NAMESPACE = "loadtest"  # k8s/loadtest/base/namespace.yaml
SERVICE_ACCOUNT = "loadgen"  # k8s/loadtest/base/serviceaccount.yaml
RUNS_PREFIX = "runs/"  # loadgen.upload.RUNS_PREFIX
REPORT_RETENTION_DAYS = 90  # a quarter of launches to compare; older reports are deleted
ACCESS_LOG_RETENTION_DAYS = 365


class LoadReports(Construct):
    """Bucket ``<prefix>-load-reports-<account>-<region>`` (KMS, TLS only, private, expiring) and its writer role."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        prefix: str,
        cluster: eks.ICluster,
        role_name: str,
        key: kms.IKey,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        removal = removal_policy(retain)
        # A disposable environment empties its buckets on `cdk destroy` (CDK's auto-delete custom resource); a kept
        # one keeps them and their objects.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=cdk.Duration.days(ACCESS_LOG_RETENTION_DAYS),
                    noncurrent_version_expiration=cdk.Duration.days(1),
                )
            ],
            removal_policy=removal,
            auto_delete_objects=not retain,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=f"{prefix}-load-reports-{stack.account}-{stack.region}",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            # One data key per bucket instead of a KMS call per object (S3 user guide, "S3 Bucket Keys").
            bucket_key_enabled=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=cdk.Duration.days(REPORT_RETENTION_DAYS),
                    noncurrent_version_expiration=cdk.Duration.days(1),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=removal,
            auto_delete_objects=not retain,
        )
        # Stable logical IDs for the stateful resources (a changed ID would replace the bucket and its reports).
        for bucket, logical_id in (
            (self.bucket, "LoadReportsBucket"),
            (self.access_logs, "LoadReportsAccessLogsBucket"),
        ):
            cfn = bucket.node.default_child
            assert isinstance(cfn, s3.CfnBucket)
            cfn.override_logical_id(logical_id)
        # checkov reads skips from a resource's Metadata (see stacks/nag.py); cdk-nag's S1 already exempts a log target.
        access_logs_cfn = self.access_logs.node.default_child
        assert isinstance(access_logs_cfn, s3.CfnBucket)
        access_logs_cfn.add_metadata(
            "checkov",
            {
                "skip": [
                    {
                        "id": "CKV_AWS_18",
                        "comment": "This is the server access log target of the report bucket; logging its own "
                        "requests would log the log deliveries.",
                    }
                ]
            },
        )
        self._log_requests_to(self.access_logs, stack=stack)
        self.writer = PodIdentity(
            self,
            "Writer",
            cluster=cluster,
            namespace=NAMESPACE,
            service_account=SERVICE_ACCOUNT,
            role_name=role_name,
        )
        # Not bucket.grant_put: that adds legal-hold, retention and tagging writes and kms:Encrypt/ReEncrypt*.
        self.writer.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PutLoadReports",
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects(f"{RUNS_PREFIX}*")],
            )
        )
        # An SSE-KMS upload needs kms:GenerateDataKey on the key as the caller (S3 user guide, "Using server-side
        # encryption with AWS KMS keys"; multipart uploads would also need kms:Decrypt, and loadgen.upload sends
        # single PutObject requests). kms:ViaService keeps the grant usable only through S3 in this region.
        self.writer.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="EncryptLoadReportsThroughS3",
                actions=["kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
            )
        )

    def _log_requests_to(self, target: s3.Bucket, *, stack: cdk.Stack) -> None:
        """Server access logging of the report bucket into ``target`` through a bucket policy, not the log-delivery
        ACL that ``server_access_logs_bucket`` sets unless the serverAccessLogsUseBucketPolicy feature flag is on."""
        log_prefix = "load-reports/"
        target.add_to_resource_policy(
            iam.PolicyStatement(
                sid="S3ServerAccessLogsOfTheReportBucket",
                principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[target.arn_for_objects(f"{log_prefix}*")],
                conditions={
                    "ArnLike": {"aws:SourceArn": self.bucket.bucket_arn},
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )
        cfn_bucket = self.bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
            destination_bucket_name=target.bucket_name, log_file_prefix=log_prefix
        )
