"""Wires the shared middleware, error handlers and operational endpoints onto a service's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from service_kit.body_limit import BodySizeLimitMiddleware
from service_kit.errors import install_error_handlers
from service_kit.header_guard import HeaderGuardMiddleware
from service_kit.health import health_router
from service_kit.log import configure_logging
from service_kit.metrics import instrument, metrics_server, prime_error_series
from service_kit.request_context import install_request_context
from service_kit.security_headers import SecurityHeadersMiddleware, security_policy
from service_kit.settings import ServiceSettings


def api_docs(settings: ServiceSettings) -> dict[str, Any]:
    """``FastAPI(**api_docs(settings))``: the OpenAPI document and its UIs only when ``docs_enabled``."""
    if settings.docs_enabled:
        return {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
    return {"openapi_url": None, "docs_url": None, "redoc_url": None}


def install_service_kit(app: FastAPI, settings: ServiceSettings, *, no_store_prefixes: Sequence[str] = ()) -> None:
    """Outermost first: request id, access log, security headers, metrics, header guard, body size limit;
    then error handlers and health. Metrics are served on ``settings.metrics_port`` during the app's lifespan."""
    configure_logging(settings.log_level)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(HeaderGuardMiddleware)
    instrument(app)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.hsts_enabled, no_store_prefixes=no_store_prefixes)
    install_request_context(app)
    app.state.security_headers = security_policy(hsts=settings.hsts_enabled).headers
    install_error_handlers(app)
    app.include_router(health_router())
    _serve_metrics_during_lifespan(app, settings)


def _serve_metrics_during_lifespan(app: FastAPI, settings: ServiceSettings) -> None:
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[Any]:
        with metrics_server(settings.metrics_port, settings.metrics_host) as port:
            app_.state.metrics_port = port
            prime_error_series(app_)  # every route is registered by now
            async with service_lifespan(app_) as state:
                yield state

    app.router.lifespan_context = lifespan
