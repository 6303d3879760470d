"""Where the load test on EKS leaves its report: an encrypted bucket and the Pod Identity role that writes to it.

The master Job of ``k8s/loadtest`` (service account ``loadtest/loadgen``) runs ``python -m loadgen.upload``, which
puts ``report.html``, the stats CSVs and ``summary.json`` under ``runs/<time>-<pod>/``. Its role may do exactly
that: ``s3:PutObject`` under ``runs/`` (no read, no delete, no listing) and the one KMS call S3 makes on its behalf
to encrypt. People read the reports with their own credentials (README, "Load test on EKS").

The bucket's server access logs go to a second bucket of this construct (``stacks/constructs/buckets.py``: S3-managed
keys, delivered under a bucket policy); these request records hold no report content.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.constructs.buckets import ACCESS_LOG_RETENTION_DAYS, log_requests, private_bucket
from stacks.constructs.workload_identity import PodIdentity

NAMESPACE = "loadtest"  # k8s/loadtest/base/namespace.yaml
SERVICE_ACCOUNT = "loadgen"  # k8s/loadtest/base/serviceaccount.yaml
RUNS_PREFIX = "runs/"  # loadgen.upload.RUNS_PREFIX
REPORT_RETENTION_DAYS = 90  # a quarter of launches to compare; older reports are deleted


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
        self.access_logs = private_bucket(
            self, "AccessLogs", expire_days=ACCESS_LOG_RETENTION_DAYS, key=None, retain=retain
        )
        self.bucket = private_bucket(
            self,
            "Bucket",
            bucket_name=f"{prefix}-load-reports-{stack.account}-{stack.region}",
            expire_days=REPORT_RETENTION_DAYS,
            key=key,
            retain=retain,
        )
        # Stable logical IDs for the stateful resources (a changed ID would replace the bucket and its reports).
        for bucket, logical_id in (
            (self.bucket, "LoadReportsBucket"),
            (self.access_logs, "LoadReportsAccessLogsBucket"),
        ):
            cfn = bucket.node.default_child
            assert isinstance(cfn, s3.CfnBucket)
            cfn.override_logical_id(logical_id)
        log_requests(
            self.bucket,
            target=self.access_logs,
            prefix="load-reports/",
            sid="S3ServerAccessLogsOfTheReportBucket",
            what="the report bucket",
        )
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
