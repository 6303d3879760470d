"""The order service's ASGI app: ``uvicorn order_service.main:app`` (PYTHONPATH=containers/order:containers/common)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from order_service.catalog_repository import CatalogRepository
from order_service.jwks import JwksCache, TokenVerifier, http_fetcher
from order_service.orders_logic import OrderService
from order_service.orders_repository import OrdersRepository
from order_service.routers import menu, orders
from order_service.settings import Settings
from service_kit.app import api_docs, install_service_kit
from service_kit.aws import dynamodb_client
from service_kit.health import DynamoReadiness


def create_app(settings: Settings | None = None, *, jwks_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """Builds the app; AWS clients and the JWKS HTTP client are made in the lifespan, not here."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dynamodb = dynamodb_client(settings.aws_default_region)
        timeout = httpx.Timeout(settings.jwks_timeout_seconds)
        async with httpx.AsyncClient(transport=jwks_transport, timeout=timeout, trust_env=False) as http:
            cache = JwksCache(
                http_fetcher(http, settings.jwks_url),
                cache_seconds=settings.jwks_cache_seconds,
                min_refetch_seconds=settings.jwks_min_refetch_seconds,
                key_retention_seconds=settings.jwks_key_retention_seconds,
            )
            app.state.verifier = TokenVerifier(cache, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
            app.state.order_service = OrderService(
                orders=OrdersRepository(dynamodb, settings.orders_table),
                catalog=CatalogRepository(
                    dynamodb, settings.catalog_table, menu_ttl_seconds=settings.menu_cache_seconds
                ),
            )
            app.state.readiness = DynamoReadiness(
                client=dynamodb, tables=(settings.orders_table, settings.catalog_table)
            )
            yield

    app = FastAPI(title="TLJ order service", version="1.0.0", lifespan=lifespan, **api_docs(settings))
    install_service_kit(app, settings)
    app.include_router(menu.router)
    app.include_router(orders.router)
    return app


app = create_app()
