"""Wires the shared middleware, error handlers and operational endpoints onto a service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from service_kit.body_limit import BodySizeLimitMiddleware
from service_kit.errors import install_error_handlers
from service_kit.health import health_router
from service_kit.log import configure_logging
from service_kit.metrics import PrometheusMiddleware, metrics_router
from service_kit.request_context import RequestContextMiddleware
from service_kit.settings import ServiceSettings


def install_service_kit(app: FastAPI, settings: ServiceSettings) -> None:
    """Outermost first: request id + access log, metrics, body size limit; then errors and health/metrics."""
    configure_logging(settings.log_level)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(PrometheusMiddleware)
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    app.include_router(health_router())
    app.include_router(metrics_router())
