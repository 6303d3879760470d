"""The provisioner's settings, read once at cold start."""

from __future__ import annotations

from pathlib import Path

from lambdas.grafana_provisioner.dashboards import LAYER_DASHBOARDS
from lambdas.shared.settings import LambdaSettings


class ProvisionerSettings(LambdaSettings):
    dashboards_dir: Path = LAYER_DASHBOARDS
    http_timeout_seconds: float = 10.0
