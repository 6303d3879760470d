"""Small hand-written cloud assemblies and a price table with round numbers, for the estimator's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROUND_PRICES = {
    "nat_gateway_hour": 0.05,
    "nat_gateway_gb": 0.05,
    "public_ipv4_hour": 0.005,
    "interface_endpoint_az_hour": 0.01,
    "interface_endpoint_gb": 0.01,
    "kms_key_month": 1.0,
    "kms_requests_10k": 0.03,
    "cloudwatch_alarm_metric_month": 0.10,
    "cloudwatch_alarm_high_resolution_metric_month": 0.30,
    "cloudwatch_logs_ingest_gb": 0.50,
    "cloudwatch_logs_vended_ingest_gb": 0.25,
    "cloudwatch_logs_storage_gb_month": 0.03,
    "waf_web_acl_month": 5.0,
    "waf_rule_month": 1.0,
    "waf_requests_million": 0.60,
    "grafana_editor_month": 9.0,
    "grafana_viewer_month": 5.0,
    "connect_voice_minute": 0.02,
    "connect_kr_did_inbound_minute": 0.01,
    "connect_kr_did_day": 0.10,
    "connect_contact_lens_minute": 0.015,
    "connect_kr_outbound_minute": 0.05,
    "s3_standard_gb_month": 0.025,
    "kinesis_shard_hour": 0.02,
    "kinesis_put_units_million": 0.02,
    "kinesis_extended_retention_shard_hour": 0.03,
    "kinesis_on_demand_stream_hour": 0.05,
    "kinesis_on_demand_gb_in": 0.10,
}
FREE = {
    "AWS::IAM::Role": "IAM is free",
    "AWS::EC2::Subnet": "no charge",
    "AWS::EC2::FlowLog": "priced on its log group",
    "AWS::Connect::InstanceStorageConfig": "an association",
    "Custom::PhoneNumberContactFlow": "custom resource definition",
}


def price_table(directory: Path, *, confirmed: bool = True) -> Path:
    """``ap-northeast-2.yaml`` with ROUND_PRICES, and a ``usage-dev.yaml`` of the given shape."""
    directory.mkdir(parents=True, exist_ok=True)
    prices = {
        key: {
            "usd": usd,
            "unit": "unit",
            "source": "https://aws.amazon.com/pricing/",
            "read": "2026-12-01",
            "confirmed": confirmed,
            "note": "test",
        }
        for key, usd in ROUND_PRICES.items()
    }
    table = {"region": "ap-northeast-2", "as_of": "2026-12-01", "hours_per_month": 730, "prices": prices, "free": FREE}
    (directory / "ap-northeast-2.yaml").write_text(yaml.safe_dump(table))
    return directory


def usage(directory: Path, values: dict[str, Any], environment: str = "dev") -> None:
    (directory / f"usage-{environment}.yaml").write_text(yaml.safe_dump({"environment": environment, **values}))


def write_assembly(directory: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    """A cdk.out with a manifest naming each stack's template, tagged with its environment."""
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = {}
    for name, resources in stacks.items():
        (directory / f"{name}.template.json").write_text(json.dumps({"Resources": resources}))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://unknown-account/ap-northeast-2",
            "properties": {
                "templateFile": f"{name}.template.json",
                "tags": {"environment": name.removesuffix("Stack").lower()},
            },
        }
    (directory / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    return directory


def subnet(zone: str) -> dict[str, Any]:
    return {"Type": "AWS::EC2::Subnet", "Properties": {"AvailabilityZone": zone}}


def interface_endpoint(*subnets: str) -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::VPCEndpoint",
        "Properties": {
            "VpcEndpointType": "Interface",
            "ServiceName": "com.amazonaws.ap-northeast-2.sts",
            "SubnetIds": [{"Ref": s} for s in subnets],
        },
    }


NETWORK = {
    "SubnetA": subnet("ap-northeast-2a"),
    "SubnetB": subnet("ap-northeast-2b"),
    "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
    "StsEndpoint": interface_endpoint("SubnetA", "SubnetB"),
    "LogsEndpoint": interface_endpoint("SubnetA", "SubnetB"),
    "S3Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}},
    "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
}
NO_TRAFFIC = {
    "network": {"nat_gb_per_gateway_month": 0, "interface_endpoint_gb_month": 0},
    "kms_requests_per_key_month": 0,
}
