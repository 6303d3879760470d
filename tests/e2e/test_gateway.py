"""The customer-facing contract, driven over real HTTP through the login gateway of the local platform."""

from __future__ import annotations

import base64
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from local.platform import Platform

pytestmark = pytest.mark.e2e

PHONE = "+82 10-5555-0101"


@pytest.fixture(scope="module")
def http(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as client:
        yield client


def signup_and_login(http: httpx.Client, phone: str = PHONE) -> tuple[str, dict[str, str]]:
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    password = "sourdough-" + uuid.uuid4().hex[:8]
    created = http.post("/auth/signup", json={"email": email, "password": password, "name": "Test", "phone": phone})
    assert created.status_code == 201, created.text
    login = http.post("/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return created.json()["customer_id"], {"Authorization": f"Bearer {login.json()['access_token']}"}


@pytest.fixture(scope="module")
def customer(http: httpx.Client) -> tuple[str, dict[str, str]]:
    return signup_and_login(http)


@pytest.fixture(scope="module")
def menu(http: httpx.Client) -> list[dict[str, Any]]:
    response = http.get("/api/menu")
    assert response.status_code == 200
    body = response.json()
    return body["items"] if isinstance(body, dict) else body


@pytest.fixture(scope="module")
def available_sku(menu: list[dict[str, Any]]) -> str:
    return next(item["sku"] for item in menu if item["available"])


def order(http: httpx.Client, headers: dict[str, str], items: Any, key: str | None = None) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return http.post("/api/orders", json={"items": items}, headers=headers | extra)


# --- happy path ---------------------------------------------------------------------------------------------------


def test_given_a_new_customer_when_they_order_then_prices_come_from_the_catalog_and_they_can_list_and_cancel(
    http: httpx.Client, menu: list[dict[str, Any]]
) -> None:
    _, auth = signup_and_login(http)
    first, second = [item for item in menu if item["available"]][:2]
    placed = order(http, auth, [{"sku": first["sku"], "quantity": 2}, {"sku": second["sku"], "quantity": 1}])
    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert body["status"] == "RECEIVED"
    assert body["total"] == 2 * first["price"] + second["price"]

    fetched = http.get(f"/api/orders/{body['order_id']}", headers=auth)
    assert fetched.status_code == 200
    assert fetched.json()["order_id"] == body["order_id"]

    later = order(http, auth, [{"sku": first["sku"], "quantity": 1}])
    listing = http.get("/api/orders", headers=auth).json()
    assert [o["order_id"] for o in listing["items"]] == [later.json()["order_id"], body["order_id"]]

    cancelled = http.post(f"/api/orders/{body['order_id']}/cancel", headers=auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    assert http.post(f"/api/orders/{body['order_id']}/cancel", headers=auth).status_code == 409


def test_given_a_client_supplied_price_then_it_is_refused_not_used(
    http: httpx.Client, customer: tuple[str, dict[str, str]], available_sku: str
) -> None:
    _, auth = customer
    response = order(http, auth, [{"sku": available_sku, "quantity": 1, "unit_price": 1}])
    assert response.status_code == 422


# --- authentication -----------------------------------------------------------------------------------------------


def test_given_a_wrong_password_or_unknown_email_then_the_answer_is_the_same_401(http: httpx.Client) -> None:
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    http.post("/auth/signup", json={"email": email, "password": "correct-horse", "name": "A", "phone": PHONE})
    wrong = http.post("/auth/login", json={"email": email, "password": "wrong-horse"})
    unknown = http.post("/auth/login", json={"email": "nobody-" + email, "password": "wrong-horse"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_given_a_taken_email_then_signup_is_409_whatever_its_case(http: httpx.Client) -> None:
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "correct-horse", "name": "A", "phone": PHONE}
    assert http.post("/auth/signup", json=body).status_code == 201
    assert http.post("/auth/signup", json=body | {"email": email.upper()}).status_code == 409


def test_given_an_invalid_phone_then_signup_is_422(http: httpx.Client) -> None:
    body = {"email": f"e2e-{uuid.uuid4().hex[:8]}@example.com", "password": "correct-horse", "name": "A"}
    assert http.post("/auth/signup", json=body | {"phone": "12"}).status_code == 422


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(customer_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": customer_id, "iss": "tlj-login", "aud": "tlj-api", "iat": now, "nbf": now, "exp": now + 300}
    return (
        claims | {"role": "customer", "name": "Mallory", "phone": "+821055550101", "jti": uuid.uuid4().hex} | overrides
    )


def _signing_key(platform: Platform) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(platform.settings.run_dir, "signing-key.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _kid(http: httpx.Client) -> str:
    (key,) = http.get("/.well-known/jwks.json").json()["keys"]
    return str(key["kid"])


def bad_tokens(platform: Platform, http: httpx.Client, customer_id: str, valid: str) -> dict[str, str]:
    kid = _kid(http)
    header, payload, signature = valid.split(".")
    forged_payload = _b64(json.dumps(_claims("someone-else")).encode())
    return {
        "forged with another key": jwt.encode(
            _claims(customer_id), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid}
        ),
        "expired": jwt.encode(
            _claims(customer_id, iat=1, nbf=1, exp=2), _signing_key(platform), algorithm="EdDSA", headers={"kid": kid}
        ),
        "wrong audience": jwt.encode(
            _claims(customer_id, aud="other"), _signing_key(platform), algorithm="EdDSA", headers={"kid": kid}
        ),
        "tampered payload": f"{header}.{forged_payload}.{signature}",
        "alg none": f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}.",
        "HS256 with the public key": jwt.encode(
            _claims(customer_id), http.get("/.well-known/jwks.json").json()["keys"][0]["x"], algorithm="HS256"
        ),
        "garbage": "not-a-jwt",
    }


def test_given_a_bad_token_then_every_order_endpoint_answers_401(
    platform: Platform, http: httpx.Client, customer: tuple[str, dict[str, str]], available_sku: str
) -> None:
    customer_id, auth = customer
    valid = auth["Authorization"].removeprefix("Bearer ")
    for name, token in bad_tokens(platform, http, customer_id, valid).items():
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/orders", headers=headers).status_code == 401, name
        assert order(http, headers, [{"sku": available_sku, "quantity": 1}]).status_code == 401, name
    assert http.get("/api/orders").status_code == 401


def test_given_an_expired_token_from_our_own_key_then_the_order_service_refuses_it_too(
    platform: Platform, http: httpx.Client, customer: tuple[str, dict[str, str]]
) -> None:
    # straight to the order service (as if something inside the cluster tried), not only at the gateway
    customer_id, auth = customer
    expired = bad_tokens(platform, http, customer_id, auth["Authorization"][7:])["expired"]
    direct = httpx.get(f"{platform.order_url}/orders", headers={"Authorization": f"Bearer {expired}"}, timeout=5)
    assert direct.status_code == 401


# --- ownership, idempotency, validation ---------------------------------------------------------------------------


def test_given_another_customers_order_then_it_is_404(
    http: httpx.Client, customer: tuple[str, dict[str, str]], available_sku: str
) -> None:
    _, auth = customer
    placed = order(http, auth, [{"sku": available_sku, "quantity": 1}]).json()
    _, intruder = signup_and_login(http, phone="010-5555-0199")
    assert http.get(f"/api/orders/{placed['order_id']}", headers=intruder).status_code == 404
    assert http.post(f"/api/orders/{placed['order_id']}/cancel", headers=intruder).status_code == 404
    assert placed["order_id"] not in {o["order_id"] for o in http.get("/api/orders", headers=intruder).json()["items"]}


def test_given_the_same_idempotency_key_then_the_order_is_replayed_and_a_different_body_conflicts(
    http: httpx.Client, customer: tuple[str, dict[str, str]], menu: list[dict[str, Any]]
) -> None:
    _, auth = customer
    skus = [item["sku"] for item in menu if item["available"]]
    key = uuid.uuid4().hex
    first = order(http, auth, [{"sku": skus[0], "quantity": 3}], key=key)
    replay = order(http, auth, [{"sku": skus[0], "quantity": 3}], key=key)
    conflict = order(http, auth, [{"sku": skus[1], "quantity": 1}], key=key)
    assert first.status_code == 201
    assert replay.status_code in (200, 201)
    assert replay.json()["order_id"] == first.json()["order_id"]
    assert conflict.status_code in (409, 422)
    mine = http.get("/api/orders?limit=100", headers=auth).json()["items"]
    assert sum(1 for o in mine if o["order_id"] == first.json()["order_id"]) == 1


@pytest.mark.parametrize("quantity", [0, 100, -1, 1.5, "2"])
def test_given_a_quantity_outside_1_to_99_then_422(
    http: httpx.Client, customer: tuple[str, dict[str, str]], available_sku: str, quantity: Any
) -> None:
    _, auth = customer
    assert order(http, auth, [{"sku": available_sku, "quantity": quantity}]).status_code == 422


def test_given_the_bounds_1_and_99_then_the_order_is_accepted(
    http: httpx.Client, customer: tuple[str, dict[str, str]], available_sku: str
) -> None:
    _, auth = customer
    assert order(http, auth, [{"sku": available_sku, "quantity": 1}]).status_code == 201
    assert order(http, auth, [{"sku": available_sku, "quantity": 99}]).status_code == 201


def test_given_an_unknown_or_unavailable_sku_then_422(
    http: httpx.Client, customer: tuple[str, dict[str, str]], menu: list[dict[str, Any]]
) -> None:
    _, auth = customer
    assert order(http, auth, [{"sku": "NOPE-999", "quantity": 1}]).status_code == 422
    unavailable = [item["sku"] for item in menu if not item["available"]]
    assert unavailable, "the seeded menu has at least one unavailable item"
    assert order(http, auth, [{"sku": unavailable[0], "quantity": 1}]).status_code == 422


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b"[]", b'{"items": []}', b'{"items": "BRD-001"}', b"\xff\xfe"], ids=repr
)
def test_given_malformed_json_or_shape_then_a_4xx_json_error(
    http: httpx.Client, customer: tuple[str, dict[str, str]], body: bytes
) -> None:
    _, auth = customer
    response = http.post("/api/orders", content=body, headers=auth | {"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_given_an_oversized_body_then_413_before_anything_is_parsed(
    http: httpx.Client, customer: tuple[str, dict[str, str]], available_sku: str
) -> None:
    _, auth = customer
    huge = {"items": [{"sku": available_sku, "quantity": 1}] * 20000}
    assert http.post("/api/orders", json=huge, headers=auth).status_code == 413
    assert http.post("/auth/signup", content=b"x" * 2_000_000).status_code == 413


# --- the order service down or slow -------------------------------------------------------------------------------


def test_given_the_order_service_stopped_then_the_gateway_answers_503_json_within_3_seconds(
    platform: Platform, http: httpx.Client, customer: tuple[str, dict[str, str]]
) -> None:
    _, auth = customer
    platform.stop("order")
    try:
        started = time.perf_counter()
        response = http.get("/api/orders", headers=auth)
        elapsed = time.perf_counter() - started
        assert response.status_code == 503
        assert response.json()["detail"]
        assert elapsed < 3.0
        assert http.get("/healthz").status_code == 200  # the gateway itself stays alive
    finally:
        platform.start("order")
    assert http.get("/api/orders", headers=auth).status_code == 200


def test_given_the_order_service_hanging_then_the_gateway_answers_504_json_within_3_seconds(
    platform: Platform, http: httpx.Client, customer: tuple[str, dict[str, str]]
) -> None:
    _, auth = customer
    (status,) = [s for s in platform.status() if s.name == "order"]
    assert status.pid
    os.killpg(status.pid, signal.SIGSTOP)  # accepts connections (kernel backlog) but never answers
    try:
        started = time.perf_counter()
        response = http.get("/api/orders", headers=auth)
        elapsed = time.perf_counter() - started
        assert response.status_code == 504
        assert response.json()["detail"]
        assert elapsed < 3.0
    finally:
        os.killpg(status.pid, signal.SIGCONT)
    assert http.get("/api/orders", headers=auth).status_code == 200


def test_given_health_endpoints_then_they_answer_and_metrics_count_requests(
    http: httpx.Client, platform: Platform
) -> None:
    assert http.get("/healthz").status_code == 200
    assert http.get("/readyz").status_code == 200
    metrics = httpx.get(platform.login_metrics_url, timeout=5.0)
    assert metrics.status_code == 200
    assert "http_requests_total" in metrics.text
