"""The order service's business metrics move on the path where the outcome is certain, and on no other."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.services.metric_deltas import Deltas, series
from tests.integration.services.test_order_api import bearer, place

CREATED = series("tlj_orders_created_total")
CANCELLED = series("tlj_orders_cancelled_total")
VALUE_SUM = series("tlj_order_value_krw_sum")
VALUE_COUNT = series("tlj_order_value_krw_count")
UP_TO_5K = series("tlj_order_value_krw_bucket", le="5000.0")
UP_TO_10K = series("tlj_order_value_krw_bucket", le="10000.0")
WATCHED = (CREATED, CANCELLED, VALUE_SUM, VALUE_COUNT, UP_TO_5K, UP_TO_10K)


def test_given_a_new_order_then_it_is_counted_once_with_its_krw_total(order_client: TestClient, auth: dict[str, str]):
    # Given the series now
    deltas = Deltas(*WATCHED)
    # When a customer places 2 Soboro Bread + 1 Americano (8,400 KRW)
    assert place(order_client, auth).json()["total"] == 8400
    # Then one order is counted and its value falls in the 10,000 bucket, not the 5,000 one
    assert deltas.moved() == {
        "tlj_orders_created_total": 1,
        "tlj_order_value_krw_sum": 8400,
        "tlj_order_value_krw_count": 1,
        'tlj_order_value_krw_bucket{le="10000.0"}': 1,
    }


def test_given_an_idempotency_key_replay_then_no_new_order_is_counted(order_client: TestClient, auth: dict[str, str]):
    # Given an order placed with a key
    first = place(order_client, auth, key="key-0001")
    assert first.status_code == 201
    deltas = Deltas(*WATCHED)
    # When the same request is sent again with the same key
    again = place(order_client, auth, key="key-0001")
    # Then it is the same order, replayed, and nothing moved
    assert (again.json()["order_id"], again.headers["Idempotent-Replayed"]) == (first.json()["order_id"], "true")
    assert deltas.moved() == {}


def test_given_refused_orders_then_nothing_is_counted(order_client: TestClient, auth: dict[str, str]):
    deltas = Deltas(*WATCHED)
    # When orders are refused: unknown sku (422), bad quantity (422), no token (401), key reused with another body (409)
    assert place(order_client, auth, {"items": [{"sku": "NOPE-404", "quantity": 1}]}).status_code == 422
    assert place(order_client, auth, {"items": [{"sku": "BRD-001", "quantity": 0}]}).status_code == 422
    assert place(order_client, {}).status_code == 401
    assert place(order_client, auth, key="key-0002").status_code == 201
    other = {"items": [{"sku": "CKE-001", "quantity": 1}]}
    assert place(order_client, auth, other, key="key-0002").status_code == 409
    # Then only the one accepted order counts
    assert deltas.moved() == {
        "tlj_orders_created_total": 1,
        "tlj_order_value_krw_sum": 8400,
        "tlj_order_value_krw_count": 1,
        'tlj_order_value_krw_bucket{le="10000.0"}': 1,
    }


def test_given_cancellations_then_only_the_successful_ones_count(
    order_client: TestClient, auth: dict[str, str], issue_token: Callable[..., str]
):
    # Given two received orders
    mine, other = (place(order_client, auth).json()["order_id"] for _ in range(2))
    staff = bearer(issue_token("staff-1", role="staff"))
    deltas = Deltas(CANCELLED, CREATED)
    # When the customer cancels one twice (200, then 409) and staff cancel the other
    assert order_client.post(f"/orders/{mine}/cancel", headers=auth).status_code == 200
    assert order_client.post(f"/orders/{mine}/cancel", headers=auth).status_code == 409
    body = {"status": "CANCELLED", "customer_id": "cust-1"}
    assert order_client.patch(f"/orders/{other}/status", json=body, headers=staff).status_code == 200
    # And a status change that is not a cancellation
    third = place(order_client, auth).json()["order_id"]
    baking = {"status": "BAKING", "customer_id": "cust-1"}
    assert order_client.patch(f"/orders/{third}/status", json=baking, headers=staff).status_code == 200
    # Then two cancellations are counted (and the third order as created)
    assert deltas.moved() == {"tlj_orders_cancelled_total": 2, "tlj_orders_created_total": 1}
