"""Recommendations on the local platform over real HTTP: an order placed through the gateway changes them.

The order goes gateway -> order service -> Orders table -> stream -> poller -> indexer Lambda handler ->
Recommendations table; the gateway then asks the adapter over the API Lambda handler.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from local.platform import Platform

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 20.0  # the poller polls twice a second; this bounds a slow laptop, not the usual case
HISTORY_REASONS = {"전에 주문하신 메뉴예요", "자주 주문하신 메뉴예요"}


@pytest.fixture(scope="module")
def http(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as client:
        yield client


def new_customer(http: httpx.Client) -> dict[str, str]:
    email = f"reco-{uuid.uuid4().hex[:10]}@example.com"
    password = "baguette-" + uuid.uuid4().hex[:8]
    body = {"email": email, "password": password, "name": "Reco", "phone": "+82 10-5555-0202"}
    assert http.post("/auth/signup", json=body).status_code == 201
    login = http.post("/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def recommendations(http: httpx.Client, auth: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = http.get("/api/recommendations", params=params, headers=auth)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def wait_for(check: Callable[[], list[dict[str, Any]] | None]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"recommendations did not change within {WAIT_SECONDS} s")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def rare_skus(http: httpx.Client) -> list[str]:
    """Two available items that the other e2e tests never order (the end of the menu)."""
    menu = http.get("/api/menu").json()
    items = menu["items"] if isinstance(menu, dict) else menu
    return [item["sku"] for item in items if item["available"]][-2:]


def test_an_order_through_the_gateway_changes_what_the_customer_is_recommended(
    http: httpx.Client, rare_skus: list[str]
) -> None:
    # Given a new customer and what they are recommended before any order
    auth = new_customer(http)
    before = recommendations(http, auth, k=5)
    assert not {item["reason"] for item in before} & HISTORY_REASONS
    # When they order two items
    order = http.post(
        "/api/orders",
        json={"items": [{"sku": sku, "quantity": 1} for sku in rare_skus]},
        headers=auth | {"Idempotency-Key": uuid.uuid4().hex},
    )
    assert order.status_code == 201, order.text

    # Then, once the stream has been indexed, both come back to them as "ordered before"
    def learned() -> list[dict[str, Any]] | None:
        items = recommendations(http, auth, k=5)
        mine = {item["sku"]: item["reason"] for item in items if item["reason"] in HISTORY_REASONS}
        return items if set(mine) == set(rare_skus) else None

    after = wait_for(learned)
    assert after != before
    assert all(item["score"] > 0 for item in after if item["sku"] in rare_skus)

    # And an item already in the basket is never recommended
    basket = recommendations(http, auth, k=5, items=rare_skus[0])
    assert rare_skus[0] not in {item["sku"] for item in basket}
    assert len(basket) <= 5

    # And cancelling the order withdraws it from their history
    cancel = http.post(f"/api/orders/{order.json()['order_id']}/cancel", headers=auth)
    assert cancel.status_code == 200, cancel.text

    def forgotten() -> list[dict[str, Any]] | None:
        items = recommendations(http, auth, k=5)
        return None if {item["reason"] for item in items} & HISTORY_REASONS else items

    wait_for(forgotten)


def test_the_recommendation_api_answers_bad_input_with_json_4xx(platform: Platform) -> None:
    with httpx.Client(base_url=platform.reco_url, timeout=5.0, trust_env=False) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        for params in ({"k": "0"}, {"k": "21"}, {"at": "tomorrow-ish"}, {"items": "#ORDERS"}):
            response = client.get("/recommendations", params=params)
            assert response.status_code == 422, params
            assert response.json()["message"] == "invalid query"
        english = client.get("/recommendations", params={"lang": "en", "k": "2"})
        assert english.status_code == 200
        assert len(english.json()["items"]) <= 2
