"""Contact Lens set up properly or not at all: prod records calls into an encrypted, expiring, private bucket and
streams contact records into an encrypted stream; dev has no storage, no Contact Lens and no recording block."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from lambdas.call_center.template import contact_flows
from stacks.config import DEV, PROD
from tests.infrastructure.conftest import only, resources

STATEFUL = {
    "CallRecordingsKey": "AWS::KMS::Key",
    "CallRecordingsBucket": "AWS::S3::Bucket",
    "CallRecordingsAccessLogsBucket": "AWS::S3::Bucket",
    "ContactRecordsStream": "AWS::Kinesis::Stream",
}
KEY_ARN = {"Fn::GetAtt": ["CallRecordingsKey", "Arn"]}


def storage(template: Template) -> dict[str, dict[str, Any]]:
    """The instance's storage configs by resource type."""
    found = [r["Properties"] for r in resources(template, "AWS::Connect::InstanceStorageConfig").values()]
    return {props["ResourceType"]: props for props in found}


def inbound(template: Template) -> dict[str, Any]:
    (found,) = [f for f in contact_flows(template.to_json()) if f.name.endswith("-inbound")]
    return dict(json.loads(found.content))


def recording_blocks(template: Template) -> list[dict[str, Any]]:
    return [a for a in inbound(template)["Actions"] if a["Type"] == "UpdateContactRecordingBehavior"]


def test_given_the_configs_then_prod_has_contact_lens_and_dev_does_not() -> None:
    assert PROD.call_center.contact_lens
    assert not DEV.call_center.contact_lens


def test_given_prod_then_the_instance_records_into_the_bucket_with_the_customer_key(prod: Template) -> None:
    _, instance = only(prod, "AWS::Connect::Instance")
    assert instance["Properties"]["Attributes"]["ContactLens"] is True
    recordings = storage(prod)["CALL_RECORDINGS"]
    assert recordings["InstanceArn"] == {"Fn::GetAtt": ["CallCenterInstance", "Arn"]}
    assert recordings["StorageType"] == "S3"
    assert recordings["S3Config"]["BucketName"] == {"Ref": "CallRecordingsBucket"}
    assert recordings["S3Config"]["EncryptionConfig"] == {"EncryptionType": "KMS", "KeyId": KEY_ARN}
    key = resources(prod, "AWS::KMS::Key")["CallRecordingsKey"]["Properties"]
    assert key["EnableKeyRotation"] is True


def test_given_prod_then_the_recording_bucket_is_encrypted_private_tls_only_logged_and_expiring(
    prod: Template,
) -> None:
    bucket = resources(prod, "AWS::S3::Bucket")["CallRecordingsBucket"]["Properties"]
    (sse,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert sse["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    # One rule over the whole bucket: recordings and Contact Lens' Analysis/ output expire alike.
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert "Prefix" not in rule
    assert "Filter" not in rule
    assert (rule["Status"], rule["ExpirationInDays"]) == ("Enabled", PROD.call_center.recording_retention_days)
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "CallRecordingsAccessLogsBucket"}
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(prod, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "CallRecordingsBucket"}
    ]
    (statements,) = policies
    assert any(
        s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


def test_given_prod_then_contact_records_stream_encrypted_for_the_configured_hours(prod: Template) -> None:
    records = storage(prod)["CONTACT_TRACE_RECORDS"]
    assert records["StorageType"] == "KINESIS_STREAM"
    assert records["KinesisStreamConfig"] == {"StreamArn": {"Fn::GetAtt": ["ContactRecordsStream", "Arn"]}}
    stream = resources(prod, "AWS::Kinesis::Stream")["ContactRecordsStream"]["Properties"]
    assert stream["StreamEncryption"] == {"EncryptionType": "KMS", "KeyId": KEY_ARN}
    assert stream["RetentionPeriodHours"] == PROD.call_center.contact_records_retention_hours
    assert stream["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}


def test_given_prod_then_the_stateful_recording_resources_keep_their_logical_ids_and_are_kept(prod: Template) -> None:
    for logical_id, kind in STATEFUL.items():
        resource = resources(prod, kind).get(logical_id)
        assert resource is not None, logical_id
        assert resource["DeletionPolicy"] == "RetainExceptOnCreate", logical_id


def test_given_prod_then_the_inbound_flow_records_both_sides_with_analytics_in_the_calls_language(
    prod: Template,
) -> None:
    (block,) = recording_blocks(prod)
    params = block["Parameters"]
    assert sorted(params["RecordingBehavior"]["RecordedParticipants"]) == ["Agent", "Customer"]
    assert params["AnalyticsBehavior"]["Enabled"] == "True"
    # ko-KR: Korean is the prod language (Connect admin guide, "Languages supported by Amazon Connect features").
    assert params["AnalyticsBehavior"]["AnalyticsLanguage"] == "ko-KR"


@pytest.mark.parametrize("kind", ["AWS::Connect::InstanceStorageConfig", "AWS::Kinesis::Stream"])
def test_given_dev_then_there_is_no_recording_storage(dev: Template, kind: str) -> None:
    assert resources(dev, kind) == {}
    assert "CallRecordingsBucket" not in resources(dev, "AWS::S3::Bucket")


def test_given_dev_then_contact_lens_is_off_and_no_flow_records(dev: Template) -> None:
    _, instance = only(dev, "AWS::Connect::Instance")
    assert instance["Properties"]["Attributes"]["ContactLens"] is False
    assert recording_blocks(dev) == []
