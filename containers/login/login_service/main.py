"""The gateway's ASGI app: ``uvicorn login_service.main:app`` (PYTHONPATH=containers/login:containers/common)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import boto3
import httpx
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from login_service.auth_logic import AuthService
from login_service.customers_repository import CustomersRepository
from login_service.downstream import Downstream
from login_service.keys import load_key_ring
from login_service.passwords import Passwords
from login_service.recommendations import RecommendationsClient
from login_service.routers import auth, keys, proxy, recommendations
from login_service.routers.storefront import mount_storefront
from login_service.settings import Settings
from login_service.signing_keys import SigningKeys, kept_fresh
from login_service.throttle import build_throttle
from login_service.tokens import TokenIssuer
from service_kit.app import api_docs, install_service_kit
from service_kit.aws import dynamodb_client, secretsmanager_client
from service_kit.health import DynamoReadiness


def create_app(
    settings: Settings | None = None, *, mounts: Mapping[str, httpx.AsyncBaseTransport] | None = None
) -> FastAPI:
    """Builds the app; ``mounts`` (tests) routes the downstream client's URLs to in-process transports."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        region = settings.aws_default_region
        dynamodb = dynamodb_client(region)
        uses_secrets = settings.signing_key_secret_id or settings.email_hash_key_secret_id
        secrets = secretsmanager_client(region) if uses_secrets else None
        signing_keys = await run_in_threadpool(
            SigningKeys,
            lambda: load_key_ring(
                secret_id=settings.signing_key_secret_id, key_file=settings.signing_key_file, secrets_client=secrets
            ),
        )
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.downstream_timeout_seconds),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            mounts=dict(mounts) if mounts else None,
            trust_env=False,
        )
        async with client, kept_fresh(signing_keys, every_seconds=settings.signing_key_refresh_seconds):
            downstream = Downstream(client, total_timeout=settings.downstream_timeout_seconds)
            app.state.settings = settings
            app.state.signing_keys = signing_keys
            app.state.downstream = downstream
            app.state.auth_service = AuthService(
                customers=CustomersRepository(dynamodb, settings.customers_table),
                passwords=Passwords(
                    concurrency=settings.password_hash_concurrency, max_wait_seconds=settings.password_hash_wait_seconds
                ),
                throttle=await run_in_threadpool(build_throttle, settings, dynamodb, secrets_client=secrets),
                tokens=TokenIssuer(
                    key=signing_keys,
                    issuer=settings.jwt_issuer,
                    audience=settings.jwt_audience,
                    ttl_seconds=settings.token_ttl_seconds,
                ),
            )
            app.state.recommendations = RecommendationsClient(
                downstream,
                base_url=settings.recommendation_api_url,
                sign=settings.recommendation_api_sigv4,
                credentials=boto3.session.Session().get_credentials() if settings.recommendation_api_sigv4 else None,
                region=region,
            )
            app.state.readiness = DynamoReadiness(client=dynamodb, tables=(settings.customers_table,))
            yield

    app = FastAPI(title="TLJ login gateway", version="1.0.0", lifespan=lifespan, **api_docs(settings))
    # Answers that carry a token or a customer's orders are never stored by a browser or a proxy.
    install_service_kit(app, settings, no_store_prefixes=("/auth/", "/api/orders", "/api/recommendations"))
    app.include_router(keys.router)  # before auth: its JWKS route (one key) is superseded by this one
    app.include_router(auth.router)
    app.include_router(proxy.router)
    app.include_router(recommendations.router)
    mount_storefront(app)
    return app


app = create_app()
