"""Alerting of the AMP workspace: the rule groups (stacks/assets/prometheus/rules.yml), the workspace's Alertmanager
definition (alertmanager.yml) and the Standard SNS topic it publishes to, encrypted with our CMK.

``topic`` is meant for reuse by other alerting (e.g. CloudWatch alarms) through ``grant_publish``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_aps as aps
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

ASSETS = Path(__file__).parent.parent / "assets" / "prometheus"
RULES = ASSETS / "rules.yml"
ALERTMANAGER = ASSETS / "alertmanager.yml"


def alertmanager_definition(*, topic_arn: str, region: str) -> str:
    """The AMP alert manager definition: the Alertmanager config as a string under ``alertmanager_config``
    (AMP user guide, "Upload your alert manager configuration file to Amazon Managed Service for Prometheus")."""
    text = ALERTMANAGER.read_text(encoding="utf-8")
    values = {"TOPIC_ARN": topic_arn, "REGION": region}
    unknown = set(re.findall(r"\$\{(\w+)\}", text)) - values.keys()
    if unknown:  # checked before filling in: a CDK token's string form contains "${" itself
        raise ValueError(f"unfilled placeholder {sorted(unknown)} in {ALERTMANAGER}")
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return json.dumps({"alertmanager_config": text})  # JSON is YAML, and escapes the text exactly


class Alerts(Construct):
    """``topic`` (Standard, CMK-encrypted, TLS only) and ``rules`` (the rule groups namespace) of ``workspace``."""

    def __init__(self, scope: Construct, id_: str, *, prefix: str, workspace: aps.CfnWorkspace, key: kms.IKey) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        # AMP publishes to Standard topics only (AMP user guide, "Configure alert manager to send messages to your
        # Amazon SNS topic"): no fifo=True here.
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=f"{prefix}-alerts",
            display_name=f"{prefix} alerts",
            master_key=key,
            enforce_ssl=True,
        )
        # Only this account's workspace may publish (AMP user guide, "Giving Amazon Managed Service for Prometheus
        # permission to send messages to your Amazon SNS topic": sns:Publish and sns:GetTopicAttributes with
        # aws:SourceAccount / aws:SourceArn against the confused deputy).
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AmpAlertmanagerPublish",
                principals=[iam.ServicePrincipal("aps.amazonaws.com")],
                actions=["sns:Publish", "sns:GetTopicAttributes"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnEquals": {"aws:SourceArn": workspace.attr_arn},
                },
            )
        )
        # A publisher to a CMK-encrypted topic needs kms:GenerateDataKey* and kms:Decrypt on its key (SNS developer
        # guide, "Enable compatibility between event sources from AWS services and encrypted topics"). No
        # aws:SourceArn here: the workspace is itself encrypted with this key, so naming it would be a cycle.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AmpAlertmanagerUseKey",
                principals=[iam.ServicePrincipal("aps.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        workspace.alert_manager_definition = alertmanager_definition(
            topic_arn=self.topic.topic_arn, region=stack.region
        )
        self.rules = aps.CfnRuleGroupsNamespace(
            self, "Rules", name=f"{prefix}-rules", workspace=workspace.attr_arn, data=RULES.read_text(encoding="utf-8")
        )
