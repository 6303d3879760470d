"""The provisioner's powertools singletons: one Logger, Tracer and Metrics, built once."""

from __future__ import annotations

from lambdas.shared.observability import observability

_telemetry = observability("grafana-provisioner")
logger = _telemetry.logger
tracer = _telemetry.tracer
metrics = _telemetry.metrics
