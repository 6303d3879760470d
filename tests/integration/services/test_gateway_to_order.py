"""The gateway and the order service wired together in-process: the gateway forwards to the order service,
which verifies the gateway's tokens against the gateway's own JWKS endpoint. No network, moto for AWS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from login_service.main import create_app as create_login_app
from login_service.passwords import Passwords
from order_service.main import create_app as create_order_app
from tests.integration.services.conftest import ORDER_URL, REGION, login_settings, order_settings, table

pytestmark = pytest.mark.anyio


class Late:
    """An ASGI app resolved at call time, to wire two apps that each need the other."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@asynccontextmanager
async def platform(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    login_late = Late()
    order_app = create_order_app(order_settings(), jwks_transport=httpx.ASGITransport(app=login_late))
    login_app = create_login_app(login_settings(tmp_path), mounts={ORDER_URL: httpx.ASGITransport(app=order_app)})
    login_late.app = login_app
    async with (
        login_app.router.lifespan_context(login_app),
        order_app.router.lifespan_context(order_app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=login_app), base_url="http://gateway") as client,
    ):
        yield client


async def signed_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_customer_signs_up_orders_and_cancels_and_staff_bake_another(dynamodb: Any, tmp_path: Path):
    boto3.resource("dynamodb", region_name=REGION).Table(table("customers")).put_item(
        Item={
            "customer_id": "staff-1",
            "email": "baker@tlj.example",
            "password_hash": Passwords().hash("staff password"),
            "name": "Baker",
            "phone": "+821011112222",
            "role": "staff",
            "created_at": "2026-03-01T00:00:00.000Z",
        }
    )
    async with platform(tmp_path) as client:
        signup = await client.post(
            "/auth/signup",
            json={"email": "kim@example.com", "password": "correct horse", "name": "Kim", "phone": "010-1234-5678"},
        )
        assert signup.status_code == 201
        customer_id = signup.json()["customer_id"]
        customer = await signed_in(client, "kim@example.com", "correct horse")

        menu = (await client.get("/api/menu")).json()["items"]
        assert {item["sku"] for item in menu} >= {"BRD-001", "CKE-001"}

        body = {"items": [{"sku": "BRD-001", "quantity": 2}]}
        created = await client.post("/api/orders", json=body, headers={**customer, "Idempotency-Key": "journey-1"})
        assert created.status_code == 201
        order = created.json()
        assert (order["customer_id"], order["phone"], order["total"]) == (customer_id, "+821012345678", 4600)
        replay = await client.post("/api/orders", json=body, headers={**customer, "Idempotency-Key": "journey-1"})
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json()["order_id"] == order["order_id"]

        cancelled = await client.post(f"/api/orders/{order['order_id']}/cancel", headers=customer)
        assert cancelled.json()["status"] == "CANCELLED"

        second = (
            await client.post("/api/orders", json={"items": [{"sku": "CKE-001", "quantity": 1}]}, headers=customer)
        ).json()
        listing = (await client.get("/api/orders", params={"limit": 1}, headers=customer)).json()
        assert [o["order_id"] for o in listing["items"]] == [second["order_id"]]
        assert listing["next_cursor"]

        staff = await signed_in(client, "baker@tlj.example", "staff password")
        status_path = f"/api/orders/{second['order_id']}/status"
        denied = await client.patch(
            status_path, json={"status": "BAKING", "customer_id": customer_id}, headers=customer
        )
        assert denied.status_code == 403
        baking = await client.patch(status_path, json={"status": "BAKING", "customer_id": customer_id}, headers=staff)
        assert baking.json()["status"] == "BAKING"
        fetched = await client.get(f"/api/orders/{second['order_id']}", headers=customer)
        assert fetched.json()["status"] == "BAKING"

        no_token = await client.get("/api/orders")
        assert no_token.status_code == 401
        assert no_token.headers["WWW-Authenticate"] == "Bearer"
