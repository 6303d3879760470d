"""Where a Contact Lens instance keeps its calls: recordings and analyses in S3, contact records in Kinesis.

Connect writes call recordings, and Contact Lens its transcripts and redacted files (``Analysis/Voice/...``), to the
instance's CALL_RECORDINGS storage (Connect admin guide, "Output file locations for files analyzed by Contact Lens"),
so one lifecycle rule over the whole bucket expires both. Contact records go to a Kinesis data stream
(CONTACT_TRACE_RECORDS accepts KINESIS_STREAM or KINESIS_FIREHOSE; CloudFormation reference,
"AWS::Connect::InstanceStorageConfig").

One customer managed key encrypts the bucket and the stream. Associating it with the S3 storage makes Connect create a
grant on it for the instance's service-linked role, with the deployer's kms:CreateGrant (Connect admin guide, "Key
management in Amazon Connect"); the stream may use the same key because that grant already covers it (Connect admin
guide, "Enable contact analysis segment streams", step 2, option 2). The key policy is CDK's default: the account's
IAM policies decide, so the deploying role can create the grant.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.constructs.buckets import ACCESS_LOG_RETENTION_DAYS, log_requests, private_bucket
from stacks.constructs.removal import removal_policy
from stacks.nag import acknowledge

RECORDINGS_PREFIX = "recordings"  # Connect adds <instance>/CallRecordings/<date>/ below it
ACCESS_LOG_PREFIX = "call-recordings/"


class CallRecordings(Construct):
    """A KMS-encrypted, TLS-only, private recording bucket whose objects expire, its access-log bucket, a one-shard
    encrypted contact-record stream, and the two storage associations of the instance."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        instance: connect.CfnInstance,
        prefix: str,
        retention_days: int,
        contact_records_retention_hours: int,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        removal = removal_policy(retain)
        self.key = kms.Key(
            self,
            "Key",
            description=f"{prefix} call recordings, Contact Lens analyses and contact records",
            alias=f"alias/{prefix}/call-recordings",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=cdk.Duration.days(30 if retain else 7),
        )
        self.access_logs = private_bucket(
            self, "AccessLogs", expire_days=ACCESS_LOG_RETENTION_DAYS, key=None, retain=retain
        )
        self.bucket = private_bucket(self, "Bucket", expire_days=retention_days, key=self.key, retain=retain)
        log_requests(
            self.bucket,
            target=self.access_logs,
            prefix=ACCESS_LOG_PREFIX,
            sid="S3ServerAccessLogsOfTheRecordingBucket",
            what="the recording bucket",
        )
        # One shard takes 1,000 records a second (Kinesis developer guide, "Create and manage Kinesis data streams"):
        # a contact record per call is far below that, and one shard-hour costs less than an on-demand stream-hour.
        self.stream = kinesis.Stream(
            self,
            "ContactRecords",
            stream_name=f"{prefix}-contact-records",
            stream_mode=kinesis.StreamMode.PROVISIONED,
            shard_count=1,
            encryption=kinesis.StreamEncryption.KMS,
            encryption_key=self.key,
            retention_period=cdk.Duration.hours(contact_records_retention_hours),
            removal_policy=removal,
        )
        for construct, logical_id in (
            (self.key, "CallRecordingsKey"),
            (self.bucket, "CallRecordingsBucket"),
            (self.access_logs, "CallRecordingsAccessLogsBucket"),
            (self.stream, "ContactRecordsStream"),
        ):
            cfn = construct.node.default_child
            assert isinstance(cfn, cdk.CfnResource)
            cfn.override_logical_id(logical_id)  # stateful: a new id would replace recordings or records
        self.recordings = connect.CfnInstanceStorageConfig(
            self,
            "RecordingsStorage",
            instance_arn=instance.attr_arn,
            resource_type="CALL_RECORDINGS",
            storage_type="S3",
            s3_config=connect.CfnInstanceStorageConfig.S3ConfigProperty(
                bucket_name=self.bucket.bucket_name,
                bucket_prefix=RECORDINGS_PREFIX,
                encryption_config=connect.CfnInstanceStorageConfig.EncryptionConfigProperty(
                    encryption_type="KMS", key_id=self.key.key_arn
                ),
            ),
        )
        self.contact_records = connect.CfnInstanceStorageConfig(
            self,
            "ContactRecordsStorage",
            instance_arn=instance.attr_arn,
            resource_type="CONTACT_TRACE_RECORDS",
            storage_type="KINESIS_STREAM",
            kinesis_stream_config=connect.CfnInstanceStorageConfig.KinesisStreamConfigProperty(
                stream_arn=self.stream.stream_arn
            ),
        )
        # The stream's key grant comes with the S3 association (see the module docstring).
        self.contact_records.node.add_dependency(self.recordings)
        self._acknowledge()

    def _acknowledge(self) -> None:
        acknowledge(
            [self.stream],
            ["AwsSolutions::AwsSolutions-KDS3"],
            "Contact records carry callers' numbers: the stream uses the recordings' customer managed key, whose "
            "rotation, revocation and use in CloudTrail are ours, and whose grant Connect already holds; one key, "
            "a few contact records a day, so the extra KMS requests cost next to nothing.",
        )
        acknowledge(
            [self.bucket, self.access_logs],
            ["NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled"],
            "Recordings are callers' voices, kept only for the configured days: a copy in a second region would "
            "double where personal data lives and must be expired twice; losing a recording loses no business data.",
        )
        acknowledge(
            [self.access_logs],
            ["NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS"],
            "A server access log target is encrypted with S3-managed keys so that S3's log delivery needs no grant "
            "on a customer key; the records are request metadata of the recording bucket, never recordings.",
        )
