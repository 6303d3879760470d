"""The estimate as a table for people and as the JSON of the `make cost` contract (ARCHITECTURE.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stacks.cost.model import FIXED, USAGE, Line, PriceTable, StackEstimate
from stacks.cost.pricers.context import money

TOP = 5
SKIPPED_USAGE_KEYS = ("environment",)
SHOWN_FROM_USD = 1.0  # smaller lines are summed per type in the text (the JSON has every line)


def shown_path(path: str) -> str:
    """A path relative to the working directory when it is inside it (the table and usage files)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def as_json(prices: PriceTable, estimates: list[StackEstimate], unconfirmed: list[str]) -> dict[str, Any]:
    return {
        "prices": {
            "region": prices.region,
            "as_of": prices.as_of,
            "table": prices.path,
            "unconfirmed": [
                {
                    "key": key,
                    "usd": prices.prices[key].usd,
                    "unit": prices.prices[key].unit,
                    "source": prices.prices[key].source,
                    "note": prices.prices[key].note,
                }
                for key in unconfirmed
            ],
        },
        "stacks": {
            e.name: {
                "monthly_usd": e.monthly_usd,
                "fixed_usd": e.fixed_usd,
                "usage_usd": e.usage_usd,
                "lines": [line.as_json() for line in e.lines],
                "unpriced": [{"type": kind, "logical_ids": list(ids)} for kind, ids in e.unpriced.items()],
                "by_category": e.by_category(),
                "free": e.free,
                "usage_file": e.usage_path,
                "usage": e.usage,
            }
            for e in estimates
        },
    }


def render_json(prices: PriceTable, estimates: list[StackEstimate], unconfirmed: list[str]) -> str:
    return json.dumps(as_json(prices, estimates, unconfirmed), indent=2)


def _flatten(values: dict[str, Any], prefix: str = "") -> list[str]:
    items = []
    for key, value in values.items():
        if key in SKIPPED_USAGE_KEYS and not prefix:
            continue
        if isinstance(value, dict):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append(f"{prefix}{key}={value}")
    return items


def _stack(e: StackEstimate, unconfirmed: set[str]) -> list[str]:
    out = [
        f"== {e.name}: ${e.monthly_usd:,.2f}/month"
        f" (${e.fixed_usd:,.2f} fixed + ${e.usage_usd:,.2f} with the assumed usage)",
    ]
    description = e.usage.get("description")
    out.append(f"   usage assumptions ({shown_path(e.usage_path)}){': ' + description if description else ''}")
    flat = [item for item in _flatten(e.usage) if not item.startswith("description=")]
    for start in range(0, len(flat), 4):
        out.append("     " + "; ".join(flat[start : start + 4]))
    for kind, title in ((FIXED, "fixed (paid while the stack exists)"), (USAGE, "usage-driven")):
        lines = sorted((line for line in e.lines if line.kind == kind), key=lambda line: -line.monthly_usd)
        out.append(f"   {title}: ${sum(line.monthly_usd for line in lines):,.2f}")
        small: dict[tuple[str, str], list[Line]] = {}
        for line in lines:
            if line.monthly_usd < SHOWN_FROM_USD:
                small.setdefault((line.type, line.name), []).append(line)
                continue
            mark = " *" if any(charge.price in unconfirmed for charge in line.charges) else ""
            out.append(
                f"     {line.monthly_usd:>9,.2f}  {line.logical_id} [{line.type}] {line.name}: {line.basis}{mark}"
            )
        for (kind_of_resource, name), group in sorted(small.items(), key=lambda kv: -sum(x.monthly_usd for x in kv[1])):
            usd = sum(x.monthly_usd for x in group)
            out.append(
                f"     {usd:>9,.2f}  {len(group)} x [{kind_of_resource}] {name} (each under ${SHOWN_FROM_USD:.2f})"
            )
    if e.lines:
        out += _where_the_money_goes(e)
    out.append(f"   free: {sum(e.free.values())} resources of {len(e.free)} types declared free in the price table")
    for kind, ids in e.unpriced.items():
        out.append(f"   UNPRICED {kind}: {', '.join(ids)}")
    return out


def _where_the_money_goes(e: StackEstimate) -> list[str]:
    out = ["   where the money goes:"]
    total = e.monthly_usd or 1.0
    for index, line in enumerate(e.top(TOP), 1):
        out.append(
            f"     {index}. ${line.monthly_usd:,.2f} ({line.monthly_usd / total:.0%})  {line.logical_id} {line.name}"
        )
    groups: dict[tuple[str, str], list[Line]] = {}
    for line in e.lines:
        groups.setdefault((line.type, line.name), []).append(line)
    biggest = sorted(groups.items(), key=lambda kv: -sum(x.monthly_usd for x in kv[1]))[:TOP]
    summed = "; ".join(f"{len(g)} x {name} ${sum(x.monthly_usd for x in g):,.2f}" for (_, name), g in biggest)
    out.append(f"     by kind: {summed}")
    categories = ", ".join(f"{name} ${usd:,.2f} ({usd / total:.0%})" for name, usd in e.by_category().items())
    out.append(f"     by category: {categories}")
    return out


def render_text(prices: PriceTable, estimates: list[StackEstimate], unconfirmed: list[str]) -> str:
    out = [
        f"Monthly cost estimate, {prices.region}, prices as of {prices.as_of} ({shown_path(prices.path)}), US$,"
        f" {prices.hours_per_month:g} h/month; free tiers not applied"
    ]
    for e in estimates:
        out += ["", *_stack(e, set(unconfirmed))]
    if unconfirmed:
        out += ["", f"* {len(unconfirmed)} Seoul prices used here are unconfirmed (confirmed: false in the table):"]
        for key in unconfirmed:
            price = prices.prices[key]
            out.append(f"  {key}: {money(price.usd)}/{price.unit} ({price.source}): {price.note}")
    return "\n".join(out)
