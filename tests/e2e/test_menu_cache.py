"""The menu over HTTP is served from the order service's in-process cache: a price changed in the table shows
through the gateway's /api/menu once MENU_CACHE_SECONDS (shortened here) have passed, and not before."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from local.platform import Platform
from tests.e2e.tuned_platform import tuned_platform

pytestmark = pytest.mark.e2e

MENU_CACHE_SECONDS = 3.0


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with tuned_platform(
        tmp_path_factory.mktemp("menu-cache"), order_env={"MENU_CACHE_SECONDS": str(MENU_CACHE_SECONDS)}
    ) as running:
        yield running


def menu_price(http: httpx.Client, sku: str) -> int:
    response = http.get("/api/menu")
    assert response.status_code == 200, response.text
    return next(int(item["price"]) for item in response.json()["items"] if item["sku"] == sku)


def order_unit_price(http: httpx.Client, sku: str) -> int:
    email, password = f"menu-{uuid.uuid4().hex[:8]}@example.com", "menu-cache-" + uuid.uuid4().hex[:8]
    signup = {"email": email, "password": password, "name": "M", "phone": "01055550177"}
    assert http.post("/auth/signup", json=signup).status_code == 201
    token = http.post("/auth/login", json={"email": email, "password": password}).json()["access_token"]
    placed = http.post(
        "/api/orders", json={"items": [{"sku": sku, "quantity": 1}]}, headers={"Authorization": f"Bearer {token}"}
    )
    assert placed.status_code == 201, placed.text
    return int(placed.json()["lines"][0]["unit_price"])


def test_a_price_change_shows_after_the_ttl_and_not_before(platform: Platform):
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as http:
        # Given a menu just read through the gateway (the order service fills its cache)
        read_at = time.monotonic()
        sku, old_price = "BRD-001", menu_price(http, "BRD-001")
        # When the price changes in the Catalog table
        new_price = old_price + 100
        platform.client("dynamodb").update_item(
            TableName=platform.table_name("catalog"),
            Key={"sku": {"S": sku}},
            UpdateExpression="SET price = :p",
            ExpressionAttributeValues={":p": {"N": str(new_price)}},
        )
        # Then the menu keeps the old price for now, while an order placed now is priced from the table
        assert menu_price(http, sku) == old_price
        assert order_unit_price(http, sku) == new_price
        # And shows the new one once the TTL has passed since the cache was filled, not before
        while (seen := menu_price(http, sku)) == old_price:
            assert time.monotonic() - read_at < MENU_CACHE_SECONDS + 3, "the new price never showed"
            time.sleep(0.1)
        assert seen == new_price
        assert time.monotonic() - read_at >= MENU_CACHE_SECONDS
