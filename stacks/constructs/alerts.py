"""Alerting of the AMP workspace: the rule groups (stacks/assets/prometheus/rules.yml), the workspace's Alertmanager
definition (alertmanager.yml), which publishes to the environment's alarm topic: the one the CloudWatch alarms use.
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
    """``rules`` (the rule groups namespace) of ``workspace``, and its Alertmanager definition publishing to ``topic``.

    ``topic`` is the environment's one alarm topic (``Observability.topic``, Standard, TLS only, under ``key``), so
    a CloudWatch alarm and a Prometheus alert reach the same people through the same subscription.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        prefix: str,
        workspace: aps.CfnWorkspace,
        topic: sns.ITopic,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        # AMP publishes to Standard topics only (AMP user guide, "Configure alert manager to send messages to your
        # Amazon SNS topic"). Only this account's workspace may publish (same guide, "Giving Amazon Managed Service
        # for Prometheus permission to send messages to your Amazon SNS topic": sns:Publish and
        # sns:GetTopicAttributes with aws:SourceAccount / aws:SourceArn against the confused deputy).
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AmpAlertmanagerPublish",
                principals=[iam.ServicePrincipal("aps.amazonaws.com")],
                actions=["sns:Publish", "sns:GetTopicAttributes"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnEquals": {"aws:SourceArn": workspace.attr_arn},
                },
            )
        )
        # A publisher to a CMK-encrypted topic needs kms:GenerateDataKey* and kms:Decrypt on its key (SNS developer
        # guide, "Enable compatibility between event sources from AWS services and encrypted topics"). Scoped by
        # account only, as that guide's example is: no AMP document says its KMS calls carry aws:SourceArn, and a
        # condition on a key the request lacks would deny, dropping every alert without an error anyone sees.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AmpAlertmanagerUseKey",
                principals=[iam.ServicePrincipal("aps.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        workspace.alert_manager_definition = alertmanager_definition(topic_arn=topic.topic_arn, region=stack.region)
        self.rules = aps.CfnRuleGroupsNamespace(
            self, "Rules", name=f"{prefix}-rules", workspace=workspace.attr_arn, data=RULES.read_text(encoding="utf-8")
        )
