"""Pinned versions of EKS add-ons and Helm charts, loaded from ``stacks/assets/versions.json`` (data, not code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

VERSIONS_FILE = Path(__file__).parent / "assets" / "versions.json"


@dataclass(frozen=True, kw_only=True)
class HelmChartPin:
    repository: str
    chart: str
    version: str


@cache
def _load() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(VERSIONS_FILE.read_text(encoding="utf-8"))
    return raw


def addon_version(addon: str, kubernetes_version: str) -> str:
    """The pinned version of EKS add-on ``addon`` for a cluster of ``kubernetes_version``."""
    try:
        return str(_load()["eks_addons"][addon][kubernetes_version])
    except KeyError:
        raise ValueError(
            f"no {addon} add-on version pinned for Kubernetes {kubernetes_version} in {VERSIONS_FILE}"
        ) from None


def helm_chart(name: str) -> HelmChartPin:
    return HelmChartPin(**_load()["helm_charts"][name])
