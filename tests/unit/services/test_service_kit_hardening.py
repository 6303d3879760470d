"""service_kit's header guard, security headers and API docs switch on a tiny app (in-process, no network)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service_kit.app import api_docs, install_service_kit
from service_kit.header_guard import HeaderGuardMiddleware
from service_kit.settings import ServiceSettings

pytestmark = pytest.mark.anyio


def build_app(**settings: Any) -> FastAPI:
    config = ServiceSettings(**settings)
    app = FastAPI(**api_docs(config))
    install_service_kit(app, config, no_store_prefixes=("/auth/",))

    @app.get("/auth/thing")
    def auth_thing() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("no")

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_app(), raise_server_exceptions=False) as test_client:
        yield test_client


async def call_guard(headers: list[tuple[bytes, bytes]]) -> tuple[int, dict[bytes, bytes], bool]:
    """Status and headers the guard answers with, and whether the app behind it ran."""
    reached = False

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal reached
        reached = True
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    await HeaderGuardMiddleware(app)(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), reached


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "name", [b"idempotency-key", b"x-request-id", b"accept-language", b"content-type", b"accept", b"x-anything"]
)
@pytest.mark.parametrize("value", [b"caf\xc3\xa9", b"\xff\xfe", b"a\x00b", b"a\x1bb", b"a\x7fb"])
async def test_a_header_that_is_not_printable_ascii_is_400_before_the_app(
    anyio_backend: str, name: bytes, value: bytes
):
    # Given a header carrying non-ASCII or control bytes; When it reaches the guard
    status, _, reached = await call_guard([(b"host", b"x"), (name, value)])
    # Then the answer is 400 and the app never ran
    assert (status, reached) == (400, False)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_hostile_authorization_header_is_401_with_the_bearer_challenge(anyio_backend: str):
    status, headers, reached = await call_guard([(b"authorization", b"Bearer \xc3\xa9t\xc3\xa9")])
    assert (status, reached) == (401, False)
    assert headers[b"www-authenticate"] == b"Bearer"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_printable_headers_reach_the_app(anyio_backend: str):
    status, _, reached = await call_guard([(b"authorization", b"Bearer a.b.c"), (b"accept-language", b"ko-KR,\tko")])
    assert (status, reached) == (204, True)


def test_every_kind_of_answer_carries_the_security_headers(client: TestClient):
    # Given answers of each kind: success, not found, method not allowed, unexpected error
    answers = [client.get("/healthz"), client.get("/nope"), client.delete("/healthz"), client.get("/boom")]
    # Then each says nosniff, carries the CSP, and (locally) no HSTS
    assert [a.status_code for a in answers] == [200, 404, 405, 500]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in answer.headers


def test_only_auth_answers_are_no_store(client: TestClient):
    assert client.get("/auth/thing").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/nope").headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.get("/healthz").headers


def test_hsts_is_a_setting():
    with TestClient(build_app(hsts_enabled=True)) as client:
        assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_api_docs_are_off_by_default_and_on_when_enabled(client: TestClient):
    assert [client.get(path).status_code for path in ("/docs", "/redoc", "/openapi.json")] == [404, 404, 404]
    with TestClient(build_app(docs_enabled=True)) as enabled:
        assert [enabled.get(path).status_code for path in ("/docs", "/openapi.json")] == [200, 200]
