"""Metric names on both sides of a query: those PromQL selects (rules, release analyses, Grafana dashboards) and
those something the platform runs exports (our prometheus_client registry, the third-party exporters listed in
stacks/assets/prometheus/exporters.yml, the recording rules). tests/unit/stacks/test_metric_names.py joins them.

PromQL is parsed with promql_parser (the Rust promql-parser's bindings); every vector selector counts, those inside
range selectors and subqueries too, including a bare ``{__name__="..."}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml
from prometheus_client import CollectorRegistry

PROMETHEUS_ASSETS = Path(__file__).parent / "assets" / "prometheus"
RULES = PROMETHEUS_ASSETS / "rules.yml"
EXPORTERS = PROMETHEUS_ASSETS / "exporters.yml"
DASHBOARDS = Path(__file__).parent / "assets" / "grafana"

# Grafana's interval and range macros stand where PromQL wants a duration (or, with _ms/_s, a number); any other
# $variable stands inside a label matcher's quotes. Grafana docs, "Variable syntax" and "Global variables".
_DURATION_MACROS = re.compile(r"\$\{?__(?:rate_interval|interval|range)\}?(?!_)")
_NUMBER_MACROS = re.compile(r"\$\{?__(?:interval_ms|range_ms|range_s)\}?")
_VARIABLES = re.compile(r"\$\{[^}]+\}|\$\w+|\[\[[^\]]+\]\]")
_TEMPLATE_ARGS = re.compile(r"\{\{[^}]*\}\}")  # Argo Rollouts' {{args.name}} in AnalysisTemplate queries
_PLAIN_NAMES = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?:\|[a-zA-Z_:][a-zA-Z0-9_:]*)*")
# Query variables: label_values(<selector>, <label>) and query_result(<expr>); label_values(<label>) selects no metric.
_VARIABLE_QUERY = re.compile(
    r"^\s*(?:label_values\((?P<selector>.+),\s*\w+\s*\)|query_result\((?P<expr>.+)\))\s*$", re.DOTALL
)

# prometheus_client's families -> the sample names they expose (text exposition format).
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "info": ("_info",),
}


class UncheckableQueryError(ValueError):
    """A query whose metric names cannot be known statically (e.g. a ``__name__`` regex beyond plain names)."""


def grafana_to_promql(expr: str) -> str:
    """``expr`` with Grafana macros and dashboard variables replaced by values PromQL parses."""
    expr = _NUMBER_MACROS.sub("300", expr)
    expr = _DURATION_MACROS.sub("5m", expr)
    return _VARIABLES.sub("x", expr)


def selected_names(expr: str) -> set[str]:
    """The metric names ``expr`` selects; ``UncheckableQueryError`` when a selector has none we can name."""
    try:
        tree = promql_parser.parse(_TEMPLATE_ARGS.sub("x", expr))
    except ValueError as error:
        raise UncheckableQueryError(f"not PromQL: {error}: {expr!r}") from None
    names: set[str] = set()

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            names.update(_selector_names(node, expr))
        return True

    promql_parser.walk(tree, visit)
    return names


def _selector_names(node: promql_parser.VectorSelector, expr: str) -> set[str]:
    if node.name:
        return {node.name}
    matchers = [m for m in node.matchers.matchers if m.name == "__name__"]
    if len(matchers) == 1 and matchers[0].op == promql_parser.MatchOp.Equal:
        return {matchers[0].value}
    if len(matchers) == 1 and matchers[0].op == promql_parser.MatchOp.Re and _PLAIN_NAMES.fullmatch(matchers[0].value):
        return set(matchers[0].value.split("|"))
    raise UncheckableQueryError(f"a selector without a checkable metric name in {expr!r}")


# --- where queries live ------------------------------------------------------------------------------------------


def rule_queries(path: Path = RULES) -> dict[str, str]:
    """``{"rules.yml <group>/<record or alert>": expr}``."""
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return {
        f"{path.name} {group['name']}/{rule.get('record') or rule['alert']}": rule["expr"]
        for group in groups
        for rule in group["rules"]
    }


def recording_names(path: Path = RULES) -> set[str]:
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}


def analysis_queries(documents: Iterable[Mapping[str, Any]], where: str) -> dict[str, str]:
    """The Prometheus queries of every AnalysisTemplate (and ClusterAnalysisTemplate) among ``documents``."""
    found: dict[str, str] = {}
    for document in documents:
        if document.get("kind") not in {"AnalysisTemplate", "ClusterAnalysisTemplate"}:
            continue
        for metric in document["spec"].get("metrics", []):
            prometheus = metric.get("provider", {}).get("prometheus")
            if prometheus:
                found[f"{where} {document['metadata']['name']}/{metric['name']}"] = prometheus["query"]
    return found


def dashboard_queries(directory: Path = DASHBOARDS) -> dict[str, str]:
    """Every Prometheus expression of every ``*.json`` dashboard in ``directory`` (none when it does not exist):
    panel targets, those of panels nested in rows, and query variables. Malformed JSON is a ``ValueError``."""
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            dashboard = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: malformed dashboard JSON: {error}") from None
        if not isinstance(dashboard, dict):
            raise ValueError(f"{path}: a dashboard is a JSON object")
        dashboard = dashboard.get("dashboard", dashboard)  # the API's {"dashboard": ...} envelope, if used
        for title, expr in _dashboard_exprs(dashboard):
            found[f"{path.name} {title}"] = grafana_to_promql(expr)
    return found


def _dashboard_exprs(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for panel in _panels(dashboard.get("panels", [])):
        for index, target in enumerate(panel.get("targets") or []):
            if isinstance(target.get("expr"), str) and target["expr"].strip():
                yield (
                    f"panel {panel.get('title', panel.get('id'))!r} target {target.get('refId', index)}",
                    target["expr"],
                )
    for variable in (dashboard.get("templating") or {}).get("list", []):
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and isinstance(query, str) and (match := _VARIABLE_QUERY.match(query)):
            yield f"variable {variable.get('name')!r}", match["selector"] or match["expr"]


def _panels(panels: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels") or [])  # a collapsed row keeps its panels inside it


# --- what is exported --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Exporter:
    name: str
    metrics: frozenset[str]
    registry: str | None  # our services: the module whose prometheus_client metrics these are
    source: str | None


def inventory(path: Path = EXPORTERS) -> dict[str, Exporter]:
    exporters = yaml.safe_load(path.read_text(encoding="utf-8"))["exporters"]
    found: dict[str, Exporter] = {}
    for name, entry in exporters.items():
        if bool(entry.get("registry")) == bool(entry.get("source")):
            raise ValueError(f"{path}: {name} names either its registry module (ours) or its source (third party)")
        found[name] = Exporter(
            name=name, metrics=frozenset(entry["metrics"]), registry=entry.get("registry"), source=entry.get("source")
        )
    return found


def registry_names(registry: CollectorRegistry) -> set[str]:
    """The sample names ``registry`` exposes: a counter as ``_total`` (and ``_created``), a histogram as
    ``_bucket``, ``_sum``, ``_count``; families that have no sample yet count too."""
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def unknown_names(queries: Mapping[str, str], known: set[str]) -> dict[str, set[str]]:
    """``{where: names not in known}`` for each query that selects any; a query we cannot check is reported too."""
    unknown: dict[str, set[str]] = {}
    for where, expr in queries.items():
        try:
            missing = selected_names(expr) - known
        except UncheckableQueryError as error:
            missing = {f"<{error}>"}
        if missing:
            unknown[where] = missing
    return unknown
