"""The platform's private buckets: TLS only, no public access, ACLs off, versioned, expiring, and their access logs.

Server access logs are delivered under a bucket policy for S3's logging service principal, since ACLs are disabled
(S3 user guide, "Enabling Amazon S3 server access logging": with Bucket owner enforced, grant
logging.s3.amazonaws.com in the target's bucket policy), not the log-delivery ACL that ``server_access_logs_bucket``
sets unless the serverAccessLogsUseBucketPolicy feature flag is on. A log target is encrypted with S3-managed keys:
a KMS target works only once the key policy lets the logging service use the key (aws-cdk#25350).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.constructs.removal import removal_policy

ACCESS_LOG_RETENTION_DAYS = 365


def private_bucket(
    scope: Construct,
    id_: str,
    *,
    expire_days: int,
    key: kms.IKey | None,
    retain: bool,
    bucket_name: str | None = None,
) -> s3.Bucket:
    """A bucket encrypted with ``key`` (S3-managed keys when None) whose objects expire after ``expire_days``.

    A disposable environment empties it on `cdk destroy` (CDK's auto-delete custom resource); a kept one keeps it."""
    return s3.Bucket(
        scope,
        id_,
        bucket_name=bucket_name,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
        # One data key per bucket instead of a KMS call per object (S3 user guide, "S3 Bucket Keys").
        bucket_key_enabled=key is not None,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        lifecycle_rules=[
            s3.LifecycleRule(
                expiration=cdk.Duration.days(expire_days),
                noncurrent_version_expiration=cdk.Duration.days(1),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )
        ],
        removal_policy=removal_policy(retain),
        auto_delete_objects=not retain,
    )


def log_requests(bucket: s3.Bucket, *, target: s3.Bucket, prefix: str, sid: str, what: str) -> None:
    """Server access logs of ``bucket`` into ``target`` under ``prefix``; ``what`` names ``bucket`` in the checkov
    skip of the target (a log target that logged its own requests would log the log deliveries)."""
    stack = cdk.Stack.of(bucket)
    target.add_to_resource_policy(
        iam.PolicyStatement(
            sid=sid,
            principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
            actions=["s3:PutObject"],
            resources=[target.arn_for_objects(f"{prefix}*")],
            conditions={
                "ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                "StringEquals": {"aws:SourceAccount": stack.account},
            },
        )
    )
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
        destination_bucket_name=target.bucket_name, log_file_prefix=prefix
    )
    cfn_target = target.node.default_child
    assert isinstance(cfn_target, s3.CfnBucket)
    # checkov reads skips from a resource's Metadata (see stacks/nag.py); cdk-nag's S1 already exempts a log target.
    comment = f"This is the server access log target of {what}; logging its own requests would log the log deliveries."
    cfn_target.add_metadata("checkov", {"skip": [{"id": "CKV_AWS_18", "comment": comment}]})
