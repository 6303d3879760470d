"""AMP alerting: the committed rules as the workspace's rule groups namespace, an Alertmanager definition that
publishes to the environment's one alarm topic (Standard, CMK-encrypted), which the CloudWatch alarms use too and
which, besides CloudWatch, only this account's workspace may publish to."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from aws_cdk.assertions import Template

from stacks.config import EnvironmentConfig
from stacks.constructs.alerts import RULES, alertmanager_definition
from tests.infrastructure.conftest import only, resources

WORKSPACE_ARN = {"Fn::GetAtt": ["MetricsWorkspace", "Arn"]}


def alerts_topic(template: Template) -> tuple[str, dict]:
    """The only topic of the stack: Prometheus alerts and CloudWatch alarms reach the same subscribers."""
    return only(template, "AWS::SNS::Topic")


def test_given_an_environment_then_the_committed_rules_are_the_workspace_rule_groups(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, namespace = only(template, "AWS::APS::RuleGroupsNamespace")
    props = namespace["Properties"]
    assert props["Workspace"] == WORKSPACE_ARN
    assert props["Data"] == RULES.read_text(encoding="utf-8")
    assert props["Name"] == f"tlj-{config.name}-rules"


def test_given_the_alertmanager_definition_then_it_publishes_to_the_alerts_topic_in_the_stack_region(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    logical_id, _ = alerts_topic(template)
    _, workspace = only(template, "AWS::APS::Workspace")
    parts = workspace["Properties"]["AlertManagerDefinition"]["Fn::Join"][1]
    assert {"Ref": logical_id} in parts  # the topic ARN, filled in at synth
    text = "".join(p if isinstance(p, str) else "TOPIC" for p in parts)
    config = json.loads(text)["alertmanager_config"]
    assert "topic_arn: TOPIC" in config
    assert re.search(r"sigv4:\n\s+region: ap-northeast-2\n", config)
    assert not re.search(r"^\s*(api_url|http_config):", config, re.MULTILINE)  # AMP refuses both


def test_an_unknown_placeholder_in_the_alertmanager_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from stacks.constructs import alerts

    class Fake:
        def read_text(self, encoding: str) -> str:
            return "topic_arn: ${TOPIC_ARN}\nregion: ${REGION}\nother: ${MISSING}\n"

    monkeypatch.setattr(alerts, "ALERTMANAGER", Fake())
    with pytest.raises(ValueError, match="MISSING"):
        alertmanager_definition(topic_arn="arn", region="ap-northeast-2")


def test_given_the_alerts_topic_then_it_is_standard_and_encrypted_with_the_alarms_cmk(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    _, topic = alerts_topic(template)
    props = topic["Properties"]
    assert props["TopicName"] == f"{config.prefix}-alarms"
    assert props["KmsMasterKeyId"]["Fn::GetAtt"][0].startswith("ObservabilityAlarmsKey")
    assert not props.get("FifoTopic", False)


def test_given_the_topic_policy_then_aps_may_publish_only_for_this_account_and_workspace(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    logical_id, _ = alerts_topic(template)
    (policy,) = [
        p
        for p in resources(template, "AWS::SNS::TopicPolicy").values()
        if {"Ref": logical_id} in p["Properties"]["Topics"]
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = {s["Principal"]["Service"]: s for s in statements if s["Effect"] == "Allow"}
    assert allows.keys() == {"aps.amazonaws.com", "cloudwatch.amazonaws.com"}
    amp = allows["aps.amazonaws.com"]
    assert set(amp["Action"]) == {"sns:Publish", "sns:GetTopicAttributes"}
    assert amp["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert amp["Condition"]["ArnEquals"] == {"aws:SourceArn": WORKSPACE_ARN}
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert [s["Condition"] for s in deny] == [{"Bool": {"aws:SecureTransport": "false"}}]


def test_given_the_alarms_key_then_aps_of_this_account_may_use_it_and_the_data_key_grants_aps_no_topic_use(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    keys = resources(template, "AWS::KMS::Key")

    def amp_statements(prefix: str) -> list[dict]:
        (key,) = [k for lid, k in keys.items() if lid.startswith(prefix)]
        return [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Sid") == "AmpAlertmanagerUseKey"]

    (statement,) = amp_statements("ObservabilityAlarmsKey")
    assert statement["Principal"] == {"Service": "aps.amazonaws.com"}
    assert set(statement["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert amp_statements("EncryptionDataKey") == []


def test_every_rule_is_covered_by_the_promtool_tests_firing_and_not_firing() -> None:
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    tests = yaml.safe_load((RULES.parent / "rules_test.yml").read_text(encoding="utf-8"))["tests"]
    alerts = {r["alert"] for g in rules for r in g["rules"] if "alert" in r}
    records = {r["record"] for g in rules for r in g["rules"] if "record" in r}
    for rule in (r for g in rules for r in g["rules"] if "alert" in r):
        assert rule.get("for")
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert {"summary", "description"} <= rule["annotations"].keys()
    cases = [c for t in tests for c in t.get("alert_rule_test", [])]
    assert {c["alertname"] for c in cases if c["exp_alerts"]} == alerts  # shown firing
    assert {c["alertname"] for c in cases if not c["exp_alerts"]} == alerts  # shown not firing
    assert {e["expr"] for t in tests for e in t.get("promql_expr_test", [])} >= records
