"""Amazon Connect's CloudWatch metrics, as cdk-monitoring-constructs metric groups with alarms.

Metric names and dimensions: Connect admin guide, "Monitoring your instance using CloudWatch" (namespace
``AWS/Connect``). Voice-call metrics carry ``InstanceId`` and ``MetricGroup=VoiceCalls``; flow errors carry
``InstanceId``, ``MetricGroup=ContactFlow`` and ``ContactFlowName``. Connect publishes every minute and only while
something happens, so a missing datapoint is "nothing went wrong".
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import cdk_monitoring_constructs as mon
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_connect as connect

CRITICAL = "Critical"  # the one disambiguator: every alarm pages, and the composite alarm watches all of them
# Calls refused by Connect's throttling, calls that rang out unanswered, calls over the concurrent-calls quota.
VOICE_METRICS = ("ThrottledCalls", "MissedCalls", "CallsBreachingConcurrencyQuota")


def connect_metric_groups(
    *, instance: connect.CfnInstance, flow_names: Sequence[str], missed_calls: int
) -> list[mon.CustomMetricGroup]:
    """Voice-call alarms (MissedCalls above ``missed_calls``, the others on any) and one flow-error alarm per flow."""

    def metric(name: str, dimensions: dict[str, str]) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/Connect",
            metric_name=name,
            dimensions_map={"InstanceId": instance.attr_id, **dimensions},
            statistic="Sum",
            period=cdk.Duration.minutes(5),
        )

    def above(threshold: float) -> mon.CustomThreshold:
        return mon.CustomThreshold(
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    thresholds = {"MissedCalls": float(missed_calls)}
    voice = [
        mon.CustomMetricWithAlarm(
            metric=metric(name, {"MetricGroup": "VoiceCalls"}),
            alarm_friendly_name=f"connect-{name}",
            add_alarm={CRITICAL: above(thresholds.get(name, 0.0))},
        )
        for name in VOICE_METRICS
    ]
    flows = [
        mon.CustomMetricWithAlarm(
            metric=metric("ContactFlowErrors", {"MetricGroup": "ContactFlow", "ContactFlowName": flow}),
            alarm_friendly_name=f"connect-flow-errors-{flow}",
            add_alarm={CRITICAL: above(0.0)},
        )
        for flow in flow_names
    ]
    return [
        mon.CustomMetricGroup(title="Voice calls", metrics=voice),
        mon.CustomMetricGroup(title="Contact flow errors", metrics=flows),
    ]
