"""Grafana dashboards as code (grafana-foundation-sdk, the build for Grafana 10.4, the workspace's version).

``python -m stacks.dashboards`` writes one ``stacks/assets/grafana/<uid>.json`` per dashboard; ``--check`` fails
when a committed file is stale, missing or extra, and ``--promtool PATH`` also parses every PromQL expression.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders.dashboard import Dashboard

from stacks.dashboards import business, call_center, capacity, overview, releases
from stacks.dashboards.panels import render

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "grafana"
BUILDERS: tuple[Callable[[], Dashboard], ...] = (
    overview.build,
    releases.build,
    capacity.build,
    business.build,
    call_center.build,
)


def generate() -> dict[str, str]:
    """File name -> JSON text of every dashboard, in a fixed order."""
    files = {}
    for build in BUILDERS:
        text = render(build())
        uid = json.loads(text)["uid"]
        if f"{uid}.json" in files:
            raise ValueError(f"two dashboards share the uid {uid}")
        files[f"{uid}.json"] = text
    return files


def load(directory: Path = ASSETS) -> dict[str, dict[str, Any]]:
    """The committed dashboards, by uid."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def stale(directory: Path = ASSETS) -> list[str]:
    """One line per file that differs from a fresh generation: stale, missing or not generated at all."""
    fresh = generate()
    committed = {path.name: path.read_text() for path in sorted(directory.glob("*.json"))}
    problems = [f"stale: {name}" for name in fresh if name in committed and committed[name] != fresh[name]]
    problems += [f"missing: {name}" for name in fresh if name not in committed]
    problems += [f"extra: {name} (no dashboard generates it)" for name in committed if name not in fresh]
    return problems
