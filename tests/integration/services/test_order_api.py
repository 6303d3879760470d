"""The order service over HTTP (in-process) on moto, with tokens verified against a served JWKS."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from moto.dynamodb.models import DynamoDBBackend

from login_service.keys import SigningKey, new_pem, signing_key_from_pem
from order_service.main import create_app
from tests.integration.services.conftest import order_settings

TWO_BREADS = {"items": [{"sku": "BRD-001", "quantity": 2}, {"sku": "DRK-001", "quantity": 1}]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def place(
    client: TestClient, headers: dict[str, str], body: dict[str, Any] = TWO_BREADS, key: str | None = None
) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/orders", json=body, headers={**headers, **extra})


def test_the_menu_is_public_and_sorted_by_category_then_name(order_client: TestClient):
    response = order_client.get("/menu")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["category"], i["name"]) for i in items] == sorted((i["category"], i["name"]) for i in items)
    assert {i["sku"]: i["price"] for i in items}["CKE-001"] == 28000


def test_an_order_is_priced_from_the_catalog_and_owned_by_the_token_subject(
    order_client: TestClient, auth: dict[str, str]
):
    response = place(order_client, auth)
    assert response.status_code == 201
    order = response.json()
    assert order["customer_id"] == "cust-1"
    assert order["status"] == "RECEIVED"
    assert order["lines"] == [
        {"sku": "BRD-001", "name": "Soboro Bread", "quantity": 2, "unit_price": 2300},
        {"sku": "DRK-001", "name": "Americano", "quantity": 1, "unit_price": 3800},
    ]
    assert order["total"] == 8400
    assert (order["phone"], order["customer_name"]) == ("+821012345678", "Kim")
    assert order["created_at"].endswith("Z")
    assert order_client.get(f"/orders/{order['order_id']}", headers=auth).json() == order


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"items": [{"sku": "NOPE-404", "quantity": 1}]}, "unknown sku: NOPE-404"),
        ({"items": [{"sku": "BRD-011", "quantity": 1}]}, "not available: BRD-011"),
        ({"items": [{"sku": "BRD-001", "quantity": 0}]}, "greater than or equal to 1"),
        ({"items": [{"sku": "BRD-001", "quantity": 100}]}, "less than or equal to 99"),
        ({"items": [{"sku": "BRD-001", "quantity": 1, "unit_price": 1}]}, "Extra inputs"),
        ({"items": [{"sku": "BRD-001", "quantity": 1}], "customer_id": "someone"}, "Extra inputs"),
        ({"items": [{"sku": "BRD-001", "quantity": 1}] * 2}, "duplicate sku"),
        ({"items": []}, "at least 1"),
        ({"items": [{"sku": f"S-{n}", "quantity": 1} for n in range(51)]}, "at most 50"),
    ],
)
def test_bad_orders_are_422_with_a_reason(order_client: TestClient, auth: dict[str, str], body: Any, fragment: str):
    response = place(order_client, auth, body)
    assert response.status_code == 422
    assert fragment in json.dumps(response.json()["detail"])


def test_the_same_idempotency_key_replays_and_a_different_body_conflicts(
    order_client: TestClient, auth: dict[str, str], dynamodb: Any
):
    first = place(order_client, auth, key="key-1")
    again = place(order_client, auth, key="key-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json()["order_id"] == first.json()["order_id"]
    conflict = place(order_client, auth, {"items": [{"sku": "BRD-001", "quantity": 5}]}, key="key-1")
    assert conflict.status_code == 409
    assert "different request body" in conflict.json()["detail"]
    assert len(order_client.get("/orders", headers=auth).json()["items"]) == 1


def test_concurrent_requests_with_one_key_make_one_order(
    order_client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    # Given a store whose transactions are atomic, as DynamoDB's are (moto's are not thread-safe, so it gets a lock)
    lock = threading.Lock()
    original = DynamoDBBackend.transact_write_items

    def atomic(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", atomic)
    # When six requests with one key race each other
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: place(order_client, auth, key="same-key"), range(6)))
    # Then one order exists, and every answer that is not a conflict names it
    ids = {r.json()["order_id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    assert all(r.status_code in (201, 409) for r in responses)
    assert [o["order_id"] for o in order_client.get("/orders", headers=auth).json()["items"]] == list(ids)


def test_a_storage_failure_is_503_json_not_500(order_client: TestClient, auth: dict[str, str], dynamodb: Any):
    dynamodb.delete_table(TableName=order_settings().orders_table)
    response = order_client.get("/orders", headers=auth)
    assert response.status_code == 503
    assert response.json() == {"detail": "storage temporarily unavailable"}


def test_a_malformed_idempotency_key_is_422(order_client: TestClient, auth: dict[str, str]):
    assert place(order_client, auth, key="has spaces; and #").status_code == 422


def test_orders_are_listed_newest_first_page_by_page(order_client: TestClient, auth: dict[str, str]):
    made = [place(order_client, auth).json()["order_id"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = order_client.get("/orders", params=params, headers=auth).json()
        seen += [order["order_id"] for order in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"cursor": "garbage!"}, 400),
        ({"cursor": base64.urlsafe_b64encode(b'{"order_id": "idem#x"}').decode()}, 400),
        ({"limit": 0}, 422),
        ({"limit": 101}, 422),
        ({"limit": "ten"}, 422),
    ],
)
def test_bad_listing_parameters_are_client_errors(
    order_client: TestClient, auth: dict[str, str], params: Any, status: int
):
    response = order_client.get("/orders", params=params, headers=auth)
    assert response.status_code == status
    assert "detail" in response.json()


def test_another_customers_order_and_malformed_ids_are_404(
    order_client: TestClient, auth: dict[str, str], issue_token: Callable[..., str]
):
    order_id = place(order_client, auth).json()["order_id"]
    other = bearer(issue_token("cust-2"))
    assert order_client.get(f"/orders/{order_id}", headers=other).status_code == 404
    assert order_client.post(f"/orders/{order_id}/cancel", headers=other).status_code == 404
    assert order_client.get("/orders/not-an-id", headers=auth).status_code == 404
    assert order_client.get("/orders/idem%23key-1", headers=auth).status_code == 404


def test_a_customer_cancels_only_a_received_order(order_client: TestClient, auth: dict[str, str]):
    order_id = place(order_client, auth).json()["order_id"]
    cancelled = order_client.post(f"/orders/{order_id}/cancel", headers=auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    again = order_client.post(f"/orders/{order_id}/cancel", headers=auth)
    assert again.status_code == 409
    assert "only RECEIVED" in again.json()["detail"]


def test_staff_move_an_order_along_the_machine(
    order_client: TestClient, auth: dict[str, str], issue_token: Callable[..., str]
):
    order_id = place(order_client, auth).json()["order_id"]
    staff = bearer(issue_token("staff-1", role="staff"))
    path = f"/orders/{order_id}/status"
    forbidden = order_client.patch(path, json={"status": "BAKING", "customer_id": "cust-1"}, headers=auth)
    assert forbidden.status_code == 403
    skip = order_client.patch(path, json={"status": "READY", "customer_id": "cust-1"}, headers=staff)
    assert skip.status_code == 409
    unknown = order_client.patch(path, json={"status": "EATEN", "customer_id": "cust-1"}, headers=staff)
    assert unknown.status_code == 422
    missing = order_client.patch(path, json={"status": "BAKING", "customer_id": "cust-9"}, headers=staff)
    assert missing.status_code == 404
    for status in ("BAKING", "READY", "PICKED_UP"):
        response = order_client.patch(path, json={"status": status, "customer_id": "cust-1"}, headers=staff)
        assert response.status_code == 200
        assert response.json()["status"] == status
    assert order_client.post(f"/orders/{order_id}/cancel", headers=auth).status_code == 409


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_tokens(key: SigningKey, issue: Callable[..., str]) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": "cust-1", "iss": "tlj-login", "aud": "tlj-api", "iat": now, "nbf": now, "exp": now + 600}
    good = issue("cust-1")
    header, _, signature = good.split(".")
    other_key = signing_key_from_pem(new_pem())
    no_sub = {k: v for k, v in claims.items() if k != "sub"}
    return {
        "alg-none": f"{b64({'alg': 'none', 'kid': key.kid})}.{b64(claims)}.",
        "hs256-public-key": jwt.encode(claims, key.public_jwk()["x"], algorithm="HS256", headers={"kid": key.kid}),
        "wrong-key-same-kid": jwt.encode(claims, other_key.private_key, algorithm="EdDSA", headers={"kid": key.kid}),
        "unknown-kid": issue("cust-1", key=other_key),
        "tampered": f"{header}.{b64({**claims, 'role': 'staff'})}.{signature}",
        "expired": issue("cust-1", clock=lambda: time.time() - 3600),
        "wrong-issuer": issue("cust-1", issuer="evil"),
        "wrong-audience": issue("cust-1", audience="other-api"),
        "missing-sub": jwt.encode(no_sub, key.private_key, algorithm="EdDSA", headers={"kid": key.kid}),
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize(
    "case",
    [
        "alg-none",
        "hs256-public-key",
        "wrong-key-same-kid",
        "unknown-kid",
        "tampered",
        "expired",
        "wrong-issuer",
        "wrong-audience",
        "missing-sub",
        "garbage",
    ],
)
def test_bad_tokens_are_401_with_www_authenticate(
    order_client: TestClient, signing_key: SigningKey, issue_token: Callable[..., str], case: str
):
    token = bad_tokens(signing_key, issue_token)[case]
    response = order_client.get("/orders", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_a_missing_token_is_401(order_client: TestClient):
    for response in (order_client.get("/orders"), order_client.post("/orders", json=TWO_BREADS)):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert order_client.get("/orders", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_an_unreachable_jwks_is_503_not_500(dynamodb: Any, issue_token: Callable[..., str]):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    app = create_app(order_settings(), jwks_transport=httpx.MockTransport(refuse))
    with TestClient(app) as client:
        response = client.get("/orders", headers=bearer(issue_token("cust-1")))
    assert response.status_code == 503
    assert "signing keys" in response.json()["detail"]


def test_a_rotated_signing_key_is_picked_up_by_one_refetch(
    dynamodb: Any, signing_key: SigningKey, issue_token: Callable[..., str]
):
    served = [signing_key]
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"keys": [key.public_jwk() for key in served]})

    app = create_app(order_settings(jwks_min_refetch_seconds=0), jwks_transport=httpx.MockTransport(handler))
    with TestClient(app) as client:
        assert client.get("/orders", headers=bearer(issue_token("cust-1"))).status_code == 200
        assert client.get("/orders", headers=bearer(issue_token("cust-1"))).status_code == 200
        assert len(calls) == 1
        rotated = signing_key_from_pem(new_pem())
        served.append(rotated)
        assert client.get("/orders", headers=bearer(issue_token("cust-1", key=rotated))).status_code == 200
        assert len(calls) == 2
    assert str(calls[0].url) == "http://login.test/.well-known/jwks.json"


def test_an_oversized_body_is_413(order_client: TestClient, auth: dict[str, str]):
    response = order_client.post(
        "/orders", content=b"{" + b" " * 70_000 + b"}", headers={**auth, "content-type": "application/json"}
    )
    assert response.status_code == 413


def test_readiness_reflects_the_tables(order_client: TestClient, dynamodb: Any):
    assert order_client.get("/readyz").json() == {"status": "ready"}
    dynamodb.delete_table(TableName=order_settings().catalog_table)
    response = order_client.get("/readyz")
    assert response.status_code == 503
    assert "catalog" in response.json()["detail"]
    assert order_client.get("/healthz").status_code == 200
