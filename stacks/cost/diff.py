"""The monthly difference between two estimates, per stack and per line (added, removed, changed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stacks.cost.model import Line, StackEstimate

CENT = 0.005


@dataclass(frozen=True, kw_only=True)
class LineChange:
    change: str  # added | removed | changed
    logical_id: str
    type: str
    name: str
    base_usd: float
    head_usd: float
    basis: str  # the head's basis (the base's for a removed line)

    @property
    def delta_usd(self) -> float:
        return round(self.head_usd - self.base_usd, 2)


@dataclass(frozen=True, kw_only=True)
class StackDiff:
    name: str
    base_usd: float
    head_usd: float
    base_fixed_usd: float
    head_fixed_usd: float
    lines: tuple[LineChange, ...]

    @property
    def delta_usd(self) -> float:
        return round(self.head_usd - self.base_usd, 2)


def _key(line: Line) -> tuple[str, str]:
    return (line.logical_id, line.name)


def compare(base: list[StackEstimate], head: list[StackEstimate]) -> list[StackDiff]:
    by_name = {e.name: e for e in base}
    head_names = {e.name: e for e in head}
    diffs = []
    for name in list(head_names) + [n for n in by_name if n not in head_names]:
        old, new = by_name.get(name), head_names.get(name)
        old_lines = {_key(line): line for line in (old.lines if old else ())}
        new_lines = {_key(line): line for line in (new.lines if new else ())}
        changes = []
        for key in list(new_lines) + [k for k in old_lines if k not in new_lines]:
            before, after = old_lines.get(key), new_lines.get(key)
            base_usd = before.monthly_usd if before else 0.0
            head_usd = after.monthly_usd if after else 0.0
            if before and after and abs(head_usd - base_usd) < CENT and before.basis == after.basis:
                continue
            change = "added" if before is None else "removed" if after is None else "changed"
            shown = after or before
            assert shown is not None
            changes.append(
                LineChange(
                    change=change,
                    logical_id=key[0],
                    type=shown.type,
                    name=key[1],
                    base_usd=base_usd,
                    head_usd=head_usd,
                    basis=shown.basis,
                )
            )
        changes.sort(key=lambda c: (-abs(c.delta_usd), c.logical_id, c.name))
        diffs.append(
            StackDiff(
                name=name,
                base_usd=old.monthly_usd if old else 0.0,
                head_usd=new.monthly_usd if new else 0.0,
                base_fixed_usd=old.fixed_usd if old else 0.0,
                head_fixed_usd=new.fixed_usd if new else 0.0,
                lines=tuple(changes),
            )
        )
    return diffs


def as_json(diffs: list[StackDiff]) -> dict[str, Any]:
    return {
        "stacks": {
            d.name: {
                "base_usd": d.base_usd,
                "head_usd": d.head_usd,
                "delta_usd": d.delta_usd,
                "base_fixed_usd": d.base_fixed_usd,
                "head_fixed_usd": d.head_fixed_usd,
                "lines": [
                    {
                        "change": c.change,
                        "logical_id": c.logical_id,
                        "type": c.type,
                        "name": c.name,
                        "base_usd": c.base_usd,
                        "head_usd": c.head_usd,
                        "delta_usd": c.delta_usd,
                        "basis": c.basis,
                    }
                    for c in d.lines
                ],
            }
            for d in diffs
        }
    }


def render_json(diffs: list[StackDiff]) -> str:
    return json.dumps(as_json(diffs), indent=2)


def render_markdown(diffs: list[StackDiff]) -> str:
    """A table per stack, for a terminal and for GitHub's job summary alike."""
    out = [
        "### Monthly cost: this change against its base",
        "",
        "| stack | base | head | difference |",
        "|---|---:|---:|---:|",
    ]
    for d in diffs:
        out.append(f"| {d.name} | ${d.base_usd:,.2f} | ${d.head_usd:,.2f} | {d.delta_usd:+,.2f} |")
    for d in diffs:
        if not d.lines:
            continue
        out += [
            "",
            f"#### {d.name}",
            "",
            "| change | resource | line | base | head | difference |",
            "|---|---|---|---:|---:|---:|",
        ]
        for c in d.lines:
            out.append(
                f"| {c.change} | `{c.logical_id}` ({c.type}) | {c.name} | ${c.base_usd:,.2f} | ${c.head_usd:,.2f} |"
                f" {c.delta_usd:+,.2f} |"
            )
    if not any(d.lines for d in diffs):
        out += ["", "No line changed."]
    return "\n".join(out)
