"""CloudWatch (log groups, alarms, dashboards), Amazon Managed Prometheus and Amazon Managed Grafana."""

from __future__ import annotations

import base64
import re
from typing import Any

import yaml

from stacks.cost.model import FIXED, USAGE, Line
from stacks.cost.pricers.context import DAYS_PER_MONTH, Context, amount, line, refs

CATEGORY = "observability"
HIGH_RESOLUTION_BELOW_S = 60  # CloudWatch: an alarm on a period under 60 s is a high-resolution alarm
DURATION = re.compile(r"^(\d+)([smh])$")


def _vended(ctx: Context, logical_id: str) -> bool:
    """Flow logs and WAF logs arrive as vended logs, billed at the vended-logs rate (CloudWatch pricing, Logs)."""
    for kind in ("AWS::EC2::FlowLog", "AWS::WAFv2::LoggingConfiguration"):
        if any(logical_id in refs(r.get("Properties", {})) for r in ctx.of_type(kind).values()):
            return True
    return False


def log_group(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    gb = float(ctx.usage.for_resource("log_groups", logical_id)["gb_month"])
    retention = resource.get("Properties", {}).get("RetentionInDays")
    if retention is None:
        months = ctx.usage.number("logs_months_kept_without_retention")
        kept, note = gb * months, f"never expires: {amount(months)} months kept"
    else:
        kept, note = gb * int(retention) / DAYS_PER_MONTH, f"{retention} d retention"
    ingest = "cloudwatch_logs_vended_ingest_gb" if _vended(ctx, logical_id) else "cloudwatch_logs_ingest_gb"
    return [
        line(
            logical_id,
            resource["Type"],
            "log ingestion and storage",
            USAGE,
            CATEGORY,
            ctx.charge(gb, "GB/month", ingest),
            ctx.charge(round(kept, 3), f"GB stored ({note})", "cloudwatch_logs_storage_gb_month"),
        ),
    ]


def alarm(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    """Billed per metric the alarm reads: a metric-math alarm pays for each MetricStat (CloudWatch pricing)."""
    properties = resource.get("Properties", {})
    periods = [int(m["MetricStat"].get("Period", 60)) for m in properties.get("Metrics", []) if "MetricStat" in m]
    if not properties.get("Metrics"):
        periods = [int(properties.get("Period", 60))]
    high = sum(1 for p in periods if p < HIGH_RESOLUTION_BELOW_S)
    charges = []
    if len(periods) - high:
        charges.append(ctx.charge(len(periods) - high, "metrics", "cloudwatch_alarm_metric_month"))
    if high:
        charges.append(ctx.charge(high, "high-resolution metrics", "cloudwatch_alarm_high_resolution_metric_month"))
    return [line(logical_id, resource["Type"], "alarm", FIXED, CATEGORY, *charges)]


def composite_alarm(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return [
        line(
            logical_id,
            resource["Type"],
            "composite alarm",
            FIXED,
            CATEGORY,
            ctx.charge(1, "alarm", "cloudwatch_composite_alarm_month"),
        )
    ]


def dashboard(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return [
        line(
            logical_id,
            resource["Type"],
            "dashboard",
            FIXED,
            CATEGORY,
            ctx.charge(1, "dashboard", "cloudwatch_dashboard_month"),
        )
    ]


def _seconds(text: str) -> int:
    match = DURATION.match(text.strip())
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def scrape_interval(ctx: Context, workspace_id: str) -> tuple[int, str]:
    """The managed scraper's global scrape_interval (its configuration blob), else the usage file's."""
    for scraper_id, scraper in ctx.of_type("AWS::APS::Scraper").items():
        properties = scraper.get("Properties", {})
        if workspace_id not in refs(properties.get("Destination", {})):
            continue
        blob = properties.get("ScrapeConfiguration", {}).get("ConfigurationBlob")
        try:
            interval = yaml.safe_load(base64.b64decode(blob))["global"]["scrape_interval"]
            return _seconds(str(interval)), f"scrape_interval {interval} of {scraper_id}"
        except (TypeError, ValueError, KeyError, yaml.YAMLError):
            break
    seconds = int(ctx.usage.number("amp", "scrape_interval_seconds"))
    return seconds, f"{seconds} s scrape interval (usage file)"


def retention_days(ctx: Context, resource: dict[str, Any]) -> float:
    """The workspace's ``WorkspaceConfiguration.RetentionPeriodInDays``, else the usage file's (AMP's default)."""
    configured = resource.get("Properties", {}).get("WorkspaceConfiguration", {}).get("RetentionPeriodInDays")
    return float(configured) if isinstance(configured, int | float) else ctx.usage.number("amp", "retention_days")


def prometheus_workspace(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    series = ctx.usage.number("amp", "active_series")
    interval, where = scrape_interval(ctx, logical_id)
    samples = series * ctx.hours * 3600 / interval
    stored_gb = (
        samples * ctx.usage.number("amp", "bytes_per_sample") / 1e9 * retention_days(ctx, resource) / DAYS_PER_MONTH
    )
    queries = ctx.usage.number("amp", "query_samples_per_month")
    kind = resource["Type"]
    return [
        line(
            logical_id,
            kind,
            "AMP ingestion",
            USAGE,
            CATEGORY,
            ctx.charge(
                round(samples), f"samples ({amount(series)} series, {where})", "amp_ingest_10m_samples", per=1e7
            ),
        ),
        line(
            logical_id,
            kind,
            "AMP storage",
            USAGE,
            CATEGORY,
            ctx.charge(round(stored_gb, 3), "GB stored", "amp_storage_gb_month"),
        ),
        line(
            logical_id,
            kind,
            "AMP queries and rule evaluation",
            USAGE,
            CATEGORY,
            ctx.charge(queries, "query samples", "amp_query_billion_samples", per=1e9),
        ),
    ]


def scraper(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    return [
        line(
            logical_id,
            resource["Type"],
            "AMP managed collector",
            FIXED,
            CATEGORY,
            ctx.hourly(1, "collector", "amp_collector_hour"),
        )
    ]


def grafana_workspace(ctx: Context, logical_id: str, resource: dict[str, Any]) -> list[Line]:
    editors = ctx.usage.number("grafana", "editors")
    viewers = ctx.usage.number("grafana", "viewers")
    charges = [ctx.charge(editors, "editors/admins", "grafana_editor_month")]
    if viewers:
        charges.append(ctx.charge(viewers, "viewers", "grafana_viewer_month"))
    return [line(logical_id, resource["Type"], "Grafana user licences", FIXED, CATEGORY, *charges)]


PRICERS = {
    "AWS::Logs::LogGroup": log_group,
    "AWS::CloudWatch::Alarm": alarm,
    "AWS::CloudWatch::CompositeAlarm": composite_alarm,
    "AWS::CloudWatch::Dashboard": dashboard,
    "AWS::APS::Workspace": prometheus_workspace,
    "AWS::APS::Scraper": scraper,
    "AWS::Grafana::Workspace": grafana_workspace,
}
