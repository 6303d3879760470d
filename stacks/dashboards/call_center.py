"""Call center: Amazon Connect's own metrics, read through the workspace's CloudWatch data source.

Names and dimensions: Connect admin guide, "Monitoring your instance using CloudWatch" (namespace ``AWS/Connect``),
the same ones stacks/constructs/observability_connect.py alarms on. Connect publishes every minute and only while
something happens, so an empty panel means no calls, not a fault.

The instance: ``$connect_instance`` lists the ``InstanceId`` values CloudWatch has for ``AWS/Connect`` (a
dimension-values query, run when the dashboard loads) and starts at All, which the queries read as the ``*``
wildcard: every instance of the workspace's account and region shows, each series named by its instance id,
without a click. A provisioner that knows
its stack's instance may pin it by setting the variable's ``current`` to that id before uploading.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard
from grafana_foundation_sdk.models import dashboard as models

from stacks.dashboards.panels import CLOUDWATCH, PanelBuilder, board, cw_metric, graph, single, with_sections

INSTANCE = "$connect_instance"
VOICE = {"InstanceId": INSTANCE, "MetricGroup": "VoiceCalls"}
FLOWS = {"InstanceId": INSTANCE, "MetricGroup": "ContactFlow", "ContactFlowName": "*"}
QUEUES = {"InstanceId": INSTANCE, "MetricGroup": "Queue", "QueueName": "*"}
BY_INSTANCE = "${PROP('Dim.InstanceId')}"


def instance_variable() -> dashboard.QueryVariable:
    # CloudWatch variable query model: grafana/grafana public/app/plugins/datasource/cloudwatch/types.ts
    # (VariableQuery, VariableQueryType.DimensionValues = 'dimensionValues').
    query: dict[str, object] = {
        "queryType": "dimensionValues",
        "namespace": "AWS/Connect",
        "region": "default",
        "metricName": "CallsPerInterval",
        "dimensionKey": "InstanceId",
        "dimensionFilters": {"MetricGroup": "VoiceCalls"},
        "refId": "ConnectInstances",
    }
    return (
        dashboard.QueryVariable("connect_instance")
        .label("Connect instance")
        .description("Amazon Connect instance id(s); All shows every instance with metrics in this account and region")
        .datasource(CLOUDWATCH)
        .query(query)
        .multi(True)
        .include_all(True)
        # All as the `*` wildcard, not a list of ids a search expression must spell out: Grafana docs,
        # aws-cloudwatch/query-editor, "Use multi-value template variables".
        .all_value("*")
        .current(models.VariableOption(selected=True, text=["All"], value=["$__all"]))
        .refresh(models.VariableRefresh.ON_DASHBOARD_LOAD)
        .sort(models.VariableSort.ALPHABETICAL_ASC)
    )


def _calls() -> list[PanelBuilder]:
    return [
        single(
            "Missed calls in range",
            "Calls that rang out unanswered over the time range (the MissedCalls alarm pages above its threshold).",
            "short",
            [cw_metric("MissedCalls", VOICE, statistic="Sum", label=BY_INSTANCE, ref="A")],
            calc="sum",
            red_above=1,
        ),
        single(
            "Flow errors in range",
            "Contact-flow blocks that took their error branch over the time range, all flows together.",
            "short",
            [cw_metric("ContactFlowErrors", FLOWS, statistic="Sum", label="${PROP('Dim.ContactFlowName')}", ref="A")],
            calc="sum",
            red_above=1,
        ),
        single(
            "Peak concurrent calls, share of quota",
            "Highest concurrent active calls as a percentage of the instance's concurrent-calls quota.",
            "percent",
            [cw_metric("ConcurrentCallsPercentage", VOICE, statistic="Maximum", label=BY_INSTANCE, ref="A")],
            calc="max",
            red_above=80,
        ),
        single(
            "Throttled calls in range",
            "Calls Connect refused because the rate of calls exceeded the instance's limit, over the time range.",
            "short",
            [cw_metric("ThrottledCalls", VOICE, statistic="Sum", label=BY_INSTANCE, ref="A")],
            calc="sum",
            red_above=1,
        ),
        graph(
            "Calls per 5 minutes",
            "Voice calls (inbound and outbound) per 5 minutes, and the highest number of calls active at once.",
            "short",
            [
                cw_metric("CallsPerInterval", VOICE, statistic="Sum", label=f"{BY_INSTANCE} calls", ref="A"),
                cw_metric("ConcurrentCalls", VOICE, statistic="Maximum", label=f"{BY_INSTANCE} concurrent", ref="B"),
            ],
        ),
        graph(
            "Missed, throttled and over-quota calls per 5 minutes",
            "Calls that rang out unanswered, calls refused by throttling and calls beyond the concurrent-calls "
            "quota, per 5 minutes: each has a CloudWatch alarm.",
            "short",
            [
                cw_metric("MissedCalls", VOICE, statistic="Sum", label=f"{BY_INSTANCE} missed", ref="A"),
                cw_metric("ThrottledCalls", VOICE, statistic="Sum", label=f"{BY_INSTANCE} throttled", ref="B"),
                cw_metric(
                    "CallsBreachingConcurrencyQuota", VOICE, statistic="Sum", label=f"{BY_INSTANCE} over quota", ref="C"
                ),
            ],
        ),
    ]


def _flows_and_queues() -> list[PanelBuilder]:
    flow = "${PROP('Dim.ContactFlowName')}"
    queue = "${PROP('Dim.QueueName')}"
    return [
        graph(
            "Contact-flow errors per 5 minutes",
            "Per flow: blocks that took their error branch (errors) and flows that could not run at all (fatal); "
            "a Lambda block's error branch shows here when the call-center Lambda fails or times out.",
            "short",
            [
                cw_metric("ContactFlowErrors", FLOWS, statistic="Sum", label=f"{flow} errors", ref="A"),
                cw_metric("ContactFlowFatalErrors", FLOWS, statistic="Sum", label=f"{flow} fatal", ref="B"),
            ],
        ),
        graph(
            "Longest queue wait",
            "Longest time a caller waited in each queue before reaching an agent, per 5 minutes.",
            "s",
            [cw_metric("LongestQueueWaitTime", QUEUES, statistic="Maximum", label=queue, ref="A")],
            span=6,
        ),
        graph(
            "Callers in queue",
            "Highest number of callers waiting in each queue, per 5 minutes.",
            "short",
            [cw_metric("QueueSize", QUEUES, statistic="Maximum", label=queue, ref="A")],
            span=6,
        ),
    ]


def build() -> dashboard.Dashboard:
    return with_sections(
        board(
            "tlj-call-center",
            "TLJ call center",
            "Amazon Connect: calls, missed and throttled calls, contact-flow errors and queues "
            "(CloudWatch AWS/Connect).",
            ["call-center", "amazon-connect"],
        ).with_variable(instance_variable()),
        [
            ("Calls", _calls()),
            ("Contact flows and queues", _flows_and_queues()),
        ],
    )
