"""CloudWatch alarms that reach a person: every Lambda, the API, the failure queue, every table, Connect and (prod)
the ingress web ACL alarm into one KMS-encrypted topic that CloudWatch may use; a composite alarm watches them all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from stacks.config import DEV, PROD, EnvironmentConfig
from tests.infrastructure.conftest import only, resources, synth


def alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources(template, "AWS::CloudWatch::Alarm").items()}


def dimensions(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The dimensions of an alarm's metric, whether it is a plain metric or metric math."""
    found = list(alarm.get("Dimensions", []))
    for query in alarm.get("Metrics", []):
        found += query.get("MetricStat", {}).get("Metric", {}).get("Dimensions", [])
    return found


def metric_names(alarm: dict[str, Any]) -> set[str]:
    names = {alarm["MetricName"]} if "MetricName" in alarm else set()
    return names | {q["MetricStat"]["Metric"]["MetricName"] for q in alarm.get("Metrics", []) if "MetricStat" in q}


def alarms_on(template: Template, logical_id: str) -> dict[str, set[str]]:
    """Alarm name -> metric names, for the alarms whose dimensions reference ``logical_id``."""
    return {
        alarm["AlarmName"]: metric_names(alarm)
        for alarm in alarms(template).values()
        if logical_id in json.dumps(dimensions(alarm))
    }


def alarm_topic(config: EnvironmentConfig, template: Template) -> tuple[str, dict[str, Any]]:
    """The alarm topic, by its name: AMP's Alertmanager publishes to it too (tests/infrastructure/test_alerts.py)."""
    (found,) = [
        (k, v)
        for k, v in resources(template, "AWS::SNS::Topic").items()
        if v["Properties"].get("TopicName") == f"{config.prefix}-alarms"
    ]
    return found


def logical_ids(template: Template, kind: str) -> list[str]:
    return sorted(resources(template, kind))


def our_functions(template: Template) -> list[str]:
    """Functions of our own code (lambdas/...), not CDK's custom-resource providers."""
    return [
        k
        for k, v in resources(template, "AWS::Lambda::Function").items()
        if v["Properties"].get("Handler", "").startswith("lambdas.")
    ]


def test_every_lambda_of_ours_has_error_throttle_and_duration_alarms(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    # The Grafana provisioner runs only inside a deploy, as a custom resource: CloudFormation reports its failure
    # as the deploy's, so an alarm on it would only ever fire during a deploy someone is already watching.
    functions = [f for f in our_functions(template) if not f.startswith("GrafanaProvisioning")]
    assert len(functions) == 3  # recommendation API, indexer, call-center lookup
    for function in functions:
        metrics = set().union(*alarms_on(template, function).values())
        assert {"Errors", "Throttles", "Duration"} <= metrics, function
        assert all(name.startswith(f"tlj-{config.name}-") for name in alarms_on(template, function))


def test_the_indexer_alarms_on_its_stream_iterator_age(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    (age,) = [a for a in alarms(template).values() if "IteratorAge" in metric_names(a)]
    assert age["Threshold"] == config.alarms.iterator_age_seconds * 1000


def test_the_api_alarms_on_5xx_rate_and_latency(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    api = [a for a in alarms(template).values() if "ApiName" in json.dumps(dimensions(a))]
    assert set().union(*(metric_names(a) for a in api)) >= {"5XXError", "Latency"}
    (rate,) = [a for a in api if "5XXError" in metric_names(a)]
    assert rate["Threshold"] == config.alarms.api_5xx_rate_percent


def test_any_message_in_the_failure_queue_is_an_alarm(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    (queue_id,) = logical_ids(template, "AWS::SQS::Queue")
    (depth,) = [a for a in alarms(template).values() if queue_id in json.dumps(dimensions(a))]
    assert "ApproximateNumberOfMessagesVisible" in metric_names(depth)
    # GreaterThanThreshold 0 on a message count: one message (>= 1) alarms.
    assert (depth["ComparisonOperator"], depth["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_table_alarms_on_throttles_and_system_errors(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    tables = logical_ids(template, "AWS::DynamoDB::Table")
    assert len(tables) == 5
    for table in tables:
        names = alarms_on(template, table)
        assert sum("Throttled" in name for name in names) == 2, table  # reads and writes
        assert any("SystemError" in name for name in names), table


def test_connect_alarms_carry_the_instance_id(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    connect = [a for a in alarms(template).values() if a.get("Namespace") == "AWS/Connect"]
    assert {a["MetricName"] for a in connect} >= {"ThrottledCalls", "MissedCalls", "ContactFlowErrors"}
    for alarm in connect:
        instance = [d for d in alarm["Dimensions"] if d["Name"] == "InstanceId"]
        assert instance == [{"Name": "InstanceId", "Value": {"Fn::GetAtt": ["CallCenterInstance", "Id"]}}]


def test_the_waf_alarm_exists_only_where_a_web_acl_does(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    waf = [a for a in alarms(template).values() if "BlockedRequests" in metric_names(a)]
    has_acl = bool(resources(template, "AWS::WAFv2::WebACL"))
    assert has_acl == config.cluster.ingress_web_acl
    assert len(waf) == (1 if has_acl else 0)


def test_every_alarm_notifies_the_topic_only(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    topic_id, _ = alarm_topic(config, template)
    everything = [*alarms(template).values()]
    everything += [v["Properties"] for v in resources(template, "AWS::CloudWatch::CompositeAlarm").values()]
    assert len(everything) > 20
    for alarm in everything:
        assert alarm["ActionsEnabled"] is True
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], alarm["AlarmName"]


def test_the_topic_uses_a_key_cloudwatch_may_use_and_tls_only(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    topic_id, topic = alarm_topic(config, template)
    key_ref = topic["Properties"]["KmsMasterKeyId"]
    assert "alias/aws/sns" not in json.dumps(key_ref)
    key = resources(template, "AWS::KMS::Key")[key_ref["Fn::GetAtt"][0]]
    assert key["Properties"]["EnableKeyRotation"] is True
    (grant,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"
    ]
    assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    (policy,) = [
        p for p in resources(template, "AWS::SNS::TopicPolicy").values() if topic_id in json.dumps(p["Properties"])
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


def test_the_composite_alarm_watches_every_other_alarm(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    _, composite = only(template, "AWS::CloudWatch::CompositeAlarm")
    assert composite["Properties"]["AlarmName"] == f"tlj-{config.name}-platform-unhealthy"
    rule = json.dumps(composite["Properties"]["AlarmRule"])
    for alarm_id in alarms(template):
        assert alarm_id in rule


def test_one_dashboard_per_stack(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    only(template, "AWS::CloudWatch::Dashboard")


def test_prod_thresholds_are_stricter_than_dev() -> None:
    dev, prod = DEV.alarms, PROD.alarms
    assert prod.api_5xx_rate_percent < dev.api_5xx_rate_percent
    assert prod.api_latency_p99_ms < dev.api_latency_p99_ms
    assert prod.lambda_errors < dev.lambda_errors
    assert prod.iterator_age_seconds < dev.iterator_age_seconds
    assert prod.lambda_duration_percent_of_timeout < dev.lambda_duration_percent_of_timeout


def test_no_email_subscription_without_alarm_email(env_template: tuple[EnvironmentConfig, Template]) -> None:
    config, template = env_template
    topic_id, _ = alarm_topic(config, template)
    subscriptions = resources(template, "AWS::SNS::Subscription").values()
    assert not [s for s in subscriptions if topic_id in json.dumps(s["Properties"]["TopicArn"])]


def test_alarm_email_subscribes_that_address() -> None:
    template = synth(DEV.with_overrides({"alarm_email": "oncall@example.com"}))
    topic_id, _ = alarm_topic(DEV, template)
    (subscription,) = [
        s
        for s in resources(template, "AWS::SNS::Subscription").values()
        if topic_id in json.dumps(s["Properties"]["TopicArn"])
    ]
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "oncall@example.com"


@pytest.mark.parametrize("value", ["not-an-email", "a@b.com,c@d.com"])
def test_a_malformed_alarm_email_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="alarm_email"):
        DEV.with_overrides({"alarm_email": value})
