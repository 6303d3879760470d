"""The provisioner's settings, read once at cold start (``DASHBOARDS_DIR``, ``HTTP_TIMEOUT_SECONDS``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lambdas.grafana_provisioner.dashboards import LAYER_DASHBOARDS
from lambdas.shared.settings import setting


@dataclass(frozen=True, kw_only=True)
class ProvisionerSettings:
    dashboards_dir: Path = LAYER_DASHBOARDS
    http_timeout_seconds: float = setting(10.0, ge=0)
