"""Fixtures for the services on moto: tables from stacks/assets/tables.json, a seeded catalog, both apps.

Every AWS call lands in moto's ``mock_aws`` with fake credentials; it is started before any boto3 client
exists (the apps create theirs in their lifespan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from login_service.customers_repository import Customer
from login_service.keys import SigningKey, new_pem, signing_key_from_pem
from login_service.settings import Settings as LoginSettings
from login_service.tokens import TokenIssuer
from order_service.main import create_app as create_order_app
from order_service.settings import Settings as OrderSettings
from stacks.table_specs import load_tables
from tests.integration.fake_aws import REGION

PREFIX = "tlj-test"
ISSUER = "tlj-login"
AUDIENCE = "tlj-api"
ORDER_URL = "http://order.test"
RECO_URL = "http://reco.test"
JWKS_URL = "http://login.test/.well-known/jwks.json"
CATALOG = [
    {"sku": "BRD-001", "name": "Soboro Bread", "category": "bread", "price": 2300, "available": True},
    {"sku": "BRD-002", "name": "Red Bean Bread", "category": "bread", "price": 2300, "available": True},
    {"sku": "BRD-011", "name": "Whole Wheat Loaf", "category": "bread", "price": 5200, "available": False},
    {"sku": "CKE-001", "name": "Fresh Cream Cake", "category": "cake", "price": 28000, "available": True},
    {"sku": "DRK-001", "name": "Americano", "category": "drink", "price": 3800, "available": True},
    {"sku": "PST-001", "name": "Butter Croissant", "category": "pastry", "price": 3500, "available": True},
]


def table(key: str) -> str:
    return load_tables()[key].table_name(PREFIX)


@pytest.fixture
def dynamodb(aws: None) -> Any:
    """A DynamoDB client on moto with every platform table created and the catalog seeded."""
    client = boto3.client("dynamodb", region_name=REGION)
    for spec in load_tables().values():
        client.create_table(**spec.create_table_kwargs(PREFIX))
    resource = boto3.resource("dynamodb", region_name=REGION)
    for item in CATALOG:
        resource.Table(table("catalog")).put_item(Item=item)
    return client


@pytest.fixture
def signing_key() -> SigningKey:
    return signing_key_from_pem(new_pem())


@pytest.fixture
def issue_token(signing_key: SigningKey) -> Callable[..., str]:
    """``issue_token(subject, role="customer", ...)``: a real access token signed like the gateway's."""

    def issue(subject: str, role: str = "customer", name: str = "Kim", phone: str = "+821012345678", **kw: Any) -> str:
        issuer = TokenIssuer(
            key=kw.get("key", signing_key),
            issuer=kw.get("issuer", ISSUER),
            audience=kw.get("audience", AUDIENCE),
            ttl_seconds=kw.get("ttl_seconds", 900),
            **({"clock": kw["clock"]} if "clock" in kw else {}),
        )
        customer = Customer(
            customer_id=subject, email="", password_hash="", name=name, phone=phone, role=role, created_at=""
        )
        return issuer.issue(customer)

    return issue


def jwks_transport(key: SigningKey, calls: list[httpx.Request] | None = None) -> httpx.MockTransport:
    """Serves ``key``'s JWKS at JWKS_URL, as the login gateway would."""

    def handler(request: httpx.Request) -> httpx.Response:
        if calls is not None:
            calls.append(request)
        return httpx.Response(200, json={"keys": [key.public_jwk()]})

    return httpx.MockTransport(handler)


def order_settings(**overrides: Any) -> OrderSettings:
    values: dict[str, Any] = {
        "orders_table": table("orders"),
        "catalog_table": table("catalog"),
        "customers_table": table("customers"),
        "jwks_url": JWKS_URL,
        "aws_default_region": REGION,
        **overrides,
    }
    return OrderSettings(**values)


def login_settings(tmp_path: Path, **overrides: Any) -> LoginSettings:
    values: dict[str, Any] = {
        "customers_table": table("customers"),
        "orders_table": table("orders"),
        "catalog_table": table("catalog"),
        "throttle_table": table("throttle"),
        "order_service_url": ORDER_URL,
        "recommendation_api_url": RECO_URL,
        "signing_key_file": tmp_path / "run" / "signing-key.pem",
        "aws_default_region": REGION,
        **overrides,
    }
    return LoginSettings(**values)


@pytest.fixture
def order_app(dynamodb: Any, signing_key: SigningKey) -> FastAPI:
    return create_order_app(order_settings(), jwks_transport=jwks_transport(signing_key))


@pytest.fixture
def order_client(order_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(order_app) as client:
        yield client


@pytest.fixture
def customer_token(issue_token: Callable[..., str]) -> str:
    return issue_token("cust-1")


@pytest.fixture
def auth(customer_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {customer_token}"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
