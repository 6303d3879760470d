"""Headers browsers act on, on every kind of answer of both services; API docs are off by default."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from local.platform import Platform
from tests.e2e.raw_http import raw_request

pytestmark = pytest.mark.e2e

Headers = httpx.Headers


@pytest.fixture(scope="module")
def login(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as client:
        yield client


@pytest.fixture(scope="module")
def order(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.order_url, timeout=10.0) as client:
        yield client


def hostile(platform: Platform, base: str) -> Headers:
    answer = raw_request(base, "GET", "/api/orders", [("Idempotency-Key", b"\xff")])
    assert answer.status == 400
    return Headers(list(answer.headers.items()))


# Each kind of answer: success, proxied success, the service's own 4xx (401, 404, 405, 422), the guard's 400.
ANSWERS: dict[str, Callable[[httpx.Client, httpx.Client, Platform], tuple[int, Headers]]] = {
    "login health 200": lambda lg, od, p: (200, lg.get("/healthz").headers),
    "login proxied menu 200": lambda lg, od, p: (200, lg.get("/api/menu").headers),
    "login storefront page 200": lambda lg, od, p: (200, lg.get("/").headers),
    "login storefront script 200": lambda lg, od, p: (200, lg.get("/static/app.js").headers),
    "login storefront 304": lambda lg, od, p: (
        304,
        lg.get("/", headers={"If-None-Match": lg.get("/").headers["ETag"]}).headers,
    ),
    "login jwks 200": lambda lg, od, p: (200, lg.get("/.well-known/jwks.json").headers),
    "login auth 401": lambda lg, od, p: (
        401,
        lg.post("/auth/login", json={"email": "nobody@example.com", "password": "wrong-password"}).headers,
    ),
    "login auth 422": lambda lg, od, p: (422, lg.post("/auth/signup", json={}).headers),
    "login 404": lambda lg, od, p: (404, lg.get("/no/such/page").headers),
    "login 405": lambda lg, od, p: (405, lg.delete("/healthz").headers),
    "login guard 400": lambda lg, od, p: (400, hostile(p, p.login_url)),
    "order menu 200": lambda lg, od, p: (200, od.get("/menu").headers),
    "order no token 401": lambda lg, od, p: (401, od.get("/orders").headers),
    "order 404": lambda lg, od, p: (404, od.get("/no/such/page").headers),
    "order guard 400": lambda lg, od, p: (400, hostile(p, p.order_url)),
}


@pytest.mark.parametrize("kind", sorted(ANSWERS))
def test_given_any_kind_of_answer_then_it_carries_the_security_headers(
    login: httpx.Client, order: httpx.Client, platform: Platform, kind: str
) -> None:
    # When the answer is fetched
    _, headers = ANSWERS[kind](login, order, platform)
    # Then browsers are told not to sniff, what may run (same origin, no inline script) and not to frame it
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "require-trusted-types-for 'script'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    # And HSTS is off on the laptop's plain HTTP (HSTS_ENABLED turns it on in the cloud)
    assert "Strict-Transport-Security" not in headers


def test_given_auth_answers_then_they_are_never_stored(login: httpx.Client) -> None:
    # Given a signup, a token answer, a refused login and an invalid signup
    email, password = f"headers-{uuid.uuid4().hex[:10]}@example.com", "baguette-" + uuid.uuid4().hex[:8]
    signup = {"email": email, "password": password, "name": "Headers", "phone": "+82 10-5555-0198"}
    answers = [
        login.post("/auth/signup", json=signup),
        login.post("/auth/login", json={"email": email, "password": password}),
        login.post("/auth/login", json={"email": "nobody@example.com", "password": "wrong-password"}),
        login.post("/auth/signup", json={}),
    ]
    assert [answer.status_code for answer in answers] == [201, 200, 401, 422]
    # Then no cache may keep them
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store", answer.status_code
    # While the public keys stay cacheable
    assert "no-store" not in login.get("/.well-known/jwks.json").headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_given_the_default_settings_then_api_docs_are_off(login: httpx.Client, order: httpx.Client, path: str) -> None:
    assert login.get(path).status_code == 404
    assert order.get(path).status_code == 404
