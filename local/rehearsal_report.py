"""What a rehearsal reports: the contract's JSON (``decision`` and the Prometheus ``metrics``, each with the
template's ``query`` verbatim and its measurements) plus what explains it, and the readable summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, TextIO

import httpx

from local.analysis import AnalysisRun, Measurement, Metric, MetricResult

_COUNTERS = ("count", "successful", "failed", "inconclusive", "error", "consecutive_error")


def measurement_entry(measurement: Measurement, t0: float) -> dict[str, Any]:
    """A measurement with its times in seconds since the run started (wall clock, not scaled)."""
    entry = asdict(measurement)
    del entry["started_at"], entry["finished_at"]
    entry["started_at_s"] = round(measurement.started_at - t0, 2)
    entry["finished_at_s"] = None if measurement.finished_at is None else round(measurement.finished_at - t0, 2)
    return entry


def metric_entries(
    raw_metrics: Sequence[Mapping[str, Any]], metrics: Sequence[Metric], run: AnalysisRun, t0: float
) -> dict[str, list[dict[str, Any]]]:
    """Per provider ("prometheus", "job"): name, query (the template's text) and resolved_query, measurements,
    phase, message, counters and conditions of every metric of the run."""
    entries: dict[str, list[dict[str, Any]]] = {"prometheus": [], "job": []}
    for raw, metric in zip(raw_metrics, metrics, strict=True):
        result: MetricResult | None = run.results.get(metric.name)
        entry: dict[str, Any] = {"name": metric.name}
        if metric.provider == "prometheus":
            entry["query"] = raw["provider"]["prometheus"]["query"]
            entry["resolved_query"] = metric.spec["query"]
        entry.update(
            {
                "measurements": [measurement_entry(m, t0) for m in (result.measurements if result else [])],
                "phase": result.phase if result else "Pending",
                "message": result.message if result else "",
                "counts": {key: getattr(result, key) for key in _COUNTERS} if result else {},
                "successCondition": metric.success_condition,
                "failureCondition": metric.failure_condition,
            }
        )
        entries[metric.provider].append(entry)
    return entries


def preview_counts(prometheus_url: str, namespace: str, preview_hash: str) -> dict[str, float]:
    """What the preview's own counters hold at the end (totals since it started, probes excluded): what the
    analysis' rate windows estimate. ``rate`` cannot see the increase that creates a series
    (prometheus@v2.42.0:promql/functions.go ``extrapolatedRate`` 66-164: last sample minus first); the 5xx series
    exist at 0 from the service's start (``service_kit.metrics.prime_error_series``), so ``5xx_series`` counts
    those that answered a 5xx at least once."""
    selector = f'namespace="{namespace}", rollouts_pod_template_hash="{preview_hash}", handler!~"/healthz|/readyz"'
    queries = {
        "requests": f"sum(http_requests_total{{{selector}}}) or vector(0)",
        "5xx": f'sum(http_requests_total{{{selector}, status=~"5.."}}) or vector(0)',
        "5xx_series": f'count(http_requests_total{{{selector}, status=~"5.."}} > 0) or vector(0)',
    }
    counts = {}
    with httpx.Client(trust_env=False, timeout=5) as client:
        for name, query in queries.items():
            result = client.get(f"{prometheus_url}/api/v1/query", params={"query": query}).json()["data"]["result"]
            counts[name] = float(result[0]["value"][1]) if result else 0.0
    return counts


def scraped_targets(prometheus_url: str) -> list[dict[str, str]]:
    """The label sets of the scraped pods after the cluster's relabelling, as the queries see them (``up``)."""
    with httpx.Client(trust_env=False, timeout=5) as client:
        body = client.get(f"{prometheus_url}/api/v1/query", params={"query": "up"}).json()
    targets = [{**sample["metric"], "up": sample["value"][1]} for sample in body["data"]["result"]]
    return sorted(targets, key=lambda target: target.get("pod", ""))


def print_summary(report: Mapping[str, Any], out: TextIO) -> None:
    for metric in [*report["metrics"], *report["jobs"]]:
        values = ", ".join(f"{m['value'] or m['message']} {m['phase']}" for m in metric["measurements"]) or "none"
        print(f"{metric['name']}: {metric['phase']} ({values})", file=out)
    counted = report.get("preview_counted") or {}
    if counted:
        print(
            f"preview counted {counted['requests']:.0f} order requests, {counted['5xx']:.0f} of them 5xx "
            f"(in {counted['5xx_series']:.0f} series)",
            file=out,
        )
    run = report["analysis_run"]
    message = f": {run['message']}" if run["message"] else ""
    print(f"AnalysisRun {run['phase']}{message}", file=out)
    print(f"decision: {report['decision']} ({report['duration_s']} s, logs in {report['run_dir']})", file=out)
