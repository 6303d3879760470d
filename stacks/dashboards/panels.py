"""Shared pieces of every dashboard: the two data sources, panel and query helpers, the namespace variable, and the
deterministic JSON rendering the staleness check compares byte for byte.

Every panel helper takes a unit and a description, so a panel without either cannot be written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from grafana_foundation_sdk.builders import cloudwatch, common, dashboard, prometheus, stat, statetimeline, timeseries
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import cloudwatch as cw_models
from grafana_foundation_sdk.models import dashboard as models
from grafana_foundation_sdk.models.common import (
    BigValueGraphMode,
    BigValueTextMode,
    LegendDisplayMode,
    StackingMode,
    VisibilityMode,
)

# The workspace's data sources; their provisioner gives them exactly these uids.
AMP = models.DataSourceRef(type_val="prometheus", uid="tlj-amp")
CLOUDWATCH = models.DataSourceRef(type_val="cloudwatch", uid="tlj-cloudwatch")

# Health probes are left out of RED and the SLO, as in rules.yml's recording rules.
NOT_HEALTH = 'handler!~"/healthz|/readyz"'
NAMESPACE = 'namespace="$namespace"'

Target = prometheus.Dataquery | cloudwatch.CloudWatchMetricsQuery
Panel = timeseries.Panel | stat.Panel | statetimeline.Panel
PanelBuilder = Builder[models.Panel]


def ratio(part: str, whole: str) -> str:
    """``part / whole`` of two aggregations with the same grouping, 0 (not empty) where ``part`` has no series.

    A 5xx counter exists only once a 5xx happened, and PromQL drops a division's unmatched sides; ``or`` fills the
    missing groups with ``whole * 0``, so a service without errors shows 0%, not "No data".
    """
    return f"({part} or {whole} * 0) / {whole}"


def prom(expr: str, legend: str, ref: str = "A", *, instant: bool = False) -> prometheus.Dataquery:
    """A PromQL target on AMP; ``legend`` uses Grafana's ``{{label}}`` templates."""
    query = prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(AMP)
    return query.instant() if instant else query.range()


def cw_metric(
    metric: str, dimensions: dict[str, str], *, statistic: str, label: str, ref: str
) -> cloudwatch.CloudWatchMetricsQuery:
    """A CloudWatch metric-search target in the data source's default region, one point per 5 minutes.

    ``label`` is a CloudWatch dynamic label, e.g. ``${PROP('Dim.InstanceId')}`` (CloudWatch user guide,
    "Use dynamic labels"); a dimension value ``*`` matches every value of that dimension.
    """
    return (
        cloudwatch.CloudWatchMetricsQuery()
        .query_mode(cw_models.CloudWatchQueryMode.METRICS)
        .metric_query_type(cw_models.MetricQueryType.SEARCH)
        .metric_editor_mode(cw_models.MetricEditorMode.BUILDER)
        .region("default")
        .namespace("AWS/Connect")
        .metric_name(metric)
        .dimensions(dict(dimensions))
        .match_exact(True)
        .statistic(statistic)
        .period("300")
        .label(label)
        .ref_id(ref)
        .datasource(CLOUDWATCH)
    )


def _datasource(targets: Sequence[Target]) -> models.DataSourceRef:
    kinds = {isinstance(target, cloudwatch.CloudWatchMetricsQuery) for target in targets}
    if len(kinds) != 1:
        raise ValueError("a panel queries exactly one data source")
    return CLOUDWATCH if kinds.pop() else AMP


def _common(panel: Panel, title: str, description: str, unit: str, targets: Sequence[Target], span: int) -> None:
    if not description.strip() or not unit.strip():
        raise ValueError(f"panel {title!r} needs a unit and a description")
    panel.title(title).description(description).unit(unit).datasource(_datasource(targets)).span(span).height(8)
    for target in targets:
        panel.with_target(target)


def graph(
    title: str, description: str, unit: str, targets: Sequence[Target], *, span: int = 12, stacked: bool = False
) -> timeseries.Panel:
    panel = timeseries.Panel().fill_opacity(10).line_width(1)
    _common(panel, title, description, unit, targets, span)
    panel.legend(common.VizLegendOptions().display_mode(LegendDisplayMode.TABLE).show_legend(True))
    if stacked:
        panel.stacking(common.StackingConfig().mode(StackingMode.NORMAL))
    return panel


def single(
    title: str,
    description: str,
    unit: str,
    targets: Sequence[Target],
    *,
    span: int = 6,
    calc: str = "lastNotNull",
    red_below: float | None = None,
    red_above: float | None = None,
) -> stat.Panel:
    """A stat panel reducing each series with ``calc``; thresholds colour it red past a limit."""
    panel = stat.Panel().graph_mode(BigValueGraphMode.AREA).text_mode(BigValueTextMode.VALUE_AND_NAME)
    _common(panel, title, description, unit, targets, span)
    panel.reduce_options(common.ReduceDataOptions().calcs([calc]).values(False))
    if red_below is not None:
        panel.thresholds(_steps([(None, "red"), (red_below, "green")]))
    elif red_above is not None:
        panel.thresholds(_steps([(None, "green"), (red_above, "red")]))
    return panel


def states(
    title: str, description: str, unit: str, targets: Sequence[Target], *, span: int = 12
) -> statetimeline.Panel:
    """A state timeline: one row per series, coloured by value (here 1 = the state holds)."""
    panel = statetimeline.Panel().show_value(VisibilityMode.NEVER).merge_values(True)
    _common(panel, title, description, unit, targets, span)
    panel.thresholds(_steps([(None, "transparent"), (1.0, "green")]))
    return panel


def _steps(steps: list[tuple[float | None, str]]) -> dashboard.ThresholdsConfig:
    thresholds = [models.Threshold(value=value, color=color) for value, color in steps]
    return dashboard.ThresholdsConfig().mode(models.ThresholdsMode.ABSOLUTE).steps(thresholds)


def namespace_variable() -> dashboard.QueryVariable:
    """``$namespace``: the Kubernetes namespaces that have scrape targets, ``tlj`` selected."""
    return (
        dashboard.QueryVariable("namespace")
        .label("Namespace")
        .description("Kubernetes namespace of the platform's workloads")
        .datasource(AMP)
        # label_values(metric, label): Grafana docs, Prometheus data source "Template variables" (query variable).
        .query("label_values(up, namespace)")
        .current(models.VariableOption(selected=True, text="tlj", value="tlj"))
        .refresh(models.VariableRefresh.ON_DASHBOARD_LOAD)
        .sort(models.VariableSort.ALPHABETICAL_ASC)
    )


def board(uid: str, title: str, description: str, tags: Sequence[str]) -> dashboard.Dashboard:
    """A dashboard with the platform's defaults: last 6 hours, refreshed every minute, shared crosshair."""
    return (
        dashboard.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["tlj", *tags])
        .time("now-6h", "now")
        .refresh("1m")
        .timezone("browser")
        .tooltip(models.DashboardCursorSync.CROSSHAIR)
        .readonly()
    )


def with_sections(
    builder: dashboard.Dashboard, sections: Sequence[tuple[str, Sequence[PanelBuilder]]]
) -> dashboard.Dashboard:
    """``builder`` with a row per ``(title, panels)``, each followed by its panels, in order."""
    for title, panels in sections:
        builder.with_row(dashboard.Row(title))
        for panel in panels:
            builder.with_panel(panel)
    return builder


def render(builder: dashboard.Dashboard) -> str:
    """The dashboard's JSON: panel ids numbered in order, keys sorted, two-space indent, trailing newline."""
    model = builder.build()
    next_id = 1
    for panel in model.panels or []:
        panel.id_val = next_id
        next_id += 1
        for child in getattr(panel, "panels", None) or []:
            child.id_val = next_id
            next_id += 1
    data = json.loads(json.dumps(model, cls=JSONEncoder))
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
