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
from login_service.keys import load_signing_key
from login_service.passwords import Passwords
from login_service.recommendations import RecommendationsClient
from login_service.routers import auth, proxy, recommendations
from login_service.settings import Settings
from login_service.tokens import TokenIssuer
from service_kit.app import install_service_kit
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
        secrets = secretsmanager_client(region) if settings.signing_key_secret_id else None
        key = await run_in_threadpool(
            load_signing_key,
            secret_id=settings.signing_key_secret_id,
            key_file=settings.signing_key_file,
            secrets_client=secrets,
        )
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.downstream_timeout_seconds),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            mounts=dict(mounts) if mounts else None,
            trust_env=False,
        )
        async with client:
            downstream = Downstream(client, total_timeout=settings.downstream_timeout_seconds)
            app.state.settings = settings
            app.state.signing_key = key
            app.state.downstream = downstream
            app.state.auth_service = AuthService(
                customers=CustomersRepository(dynamodb, settings.customers_table),
                passwords=Passwords(),
                tokens=TokenIssuer(
                    key=key,
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

    app = FastAPI(title="TLJ login gateway", version="1.0.0", lifespan=lifespan)
    install_service_kit(app, settings)
    app.include_router(auth.router)
    app.include_router(proxy.router)
    app.include_router(recommendations.router)
    return app


app = create_app()
