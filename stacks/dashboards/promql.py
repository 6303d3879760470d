"""Every PromQL expression of the generated dashboards, with Grafana's variables substituted, and two parsers for them.

Grafana replaces ``$var`` / ``${var}`` and its built-ins (``$__rate_interval``, ``$__interval``, ``$__range``) before
a query reaches Prometheus (Grafana docs, "Variable syntax" and "Global variables"); so do we, with the dashboard's
own current values, and then parse the result twice: with ``promql_parser`` (a Rust port of Prometheus' parser) and
with the real ``promtool check rules``, each expression written as a recording rule.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml

# Grafana's built-ins, at the values a 6-hour range gives; any valid duration parses the same.
BUILTINS = {"__rate_interval": "5m", "__interval": "1m", "__range": "6h"}
VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")
LABEL_VALUES = re.compile(r"^label_values\((.+),\s*\w+\)$")


@dataclass(frozen=True)
class Expr:
    where: str  # "<uid> panel <id> target <refId>", or "<uid> variable <name>"
    promql: str  # as substituted


def _current(variable: Mapping[str, Any]) -> str:
    value = variable.get("current", {}).get("value")
    return value[0] if isinstance(value, list) else str(value)


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    """``expr`` with every Grafana variable replaced; an unknown variable is a ``KeyError`` naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in BUILTINS:
            return BUILTINS[name]
        if name not in variables:
            raise KeyError(f"unknown dashboard variable ${name} in {expr!r}")
        return variables[name]

    return VARIABLE.sub(value, expr)


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def expressions(uid: str, board: Mapping[str, Any]) -> list[Expr]:
    """The Prometheus expressions of one dashboard: panel targets and ``label_values`` selectors of variables."""
    templating = board.get("templating", {}).get("list", [])
    variables = {v["name"]: _current(v) for v in templating if "current" in v}
    found = []
    for variable in templating:
        if variable.get("datasource", {}).get("type") == "prometheus":
            selector = LABEL_VALUES.match(str(variable.get("query", "")))
            if selector:
                found.append(Expr(f"{uid} variable {variable['name']}", selector.group(1)))
    for panel in _panels(board.get("panels", [])):
        for target in panel.get("targets", []):
            if "expr" in target:
                where = f"{uid} panel {panel.get('id')} target {target.get('refId')}"
                found.append(Expr(where, substitute(target["expr"], variables)))
    return found


def parse_errors(exprs: list[Expr]) -> list[str]:
    """One message per expression ``promql_parser`` rejects."""
    errors = []
    for expr in exprs:
        try:
            promql_parser.parse(expr.promql)
        except ValueError as error:
            errors.append(f"{expr.where}: {error}: {expr.promql}")
    return errors


def rules_file(exprs: list[Expr]) -> str:
    """A Prometheus rules file with each expression as a recording rule (names are ``dashboard:expr_<n>``)."""
    rules = [{"record": f"dashboard:expr_{n}", "expr": expr.promql} for n, expr in enumerate(exprs)]
    return yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}, sort_keys=False)


def promtool_errors(exprs: list[Expr], promtool: str) -> list[str]:
    """What ``promtool check rules`` says about the expressions; empty when it parses all of them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dashboards.rules.yml"
        path.write_text(rules_file(exprs))
        result = subprocess.run(  # noqa: S603 - our own promtool path and file, no shell
            [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
        )
    if result.returncode == 0:
        return []
    names = {f"dashboard:expr_{n}": expr for n, expr in enumerate(exprs)}
    output = (result.stdout + result.stderr).strip()
    # promtool names the failing rule; map it back to the panel it came from.
    blamed = [f"{expr.where}: {expr.promql}" for name, expr in names.items() if re.search(rf"\b{name}\b", output)]
    return [f"promtool check rules failed (exit {result.returncode}): {output}", *blamed]
