"""service_kit's middleware and error handlers on a tiny app (in-process, no network)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY, generate_latest
from pydantic import BaseModel, Field

from service_kit.app import install_service_kit
from service_kit.body_limit import BodySizeLimitMiddleware
from service_kit.log import JsonFormatter
from service_kit.metrics import UNMATCHED_ROUTE
from service_kit.settings import ServiceSettings


class Secret(BaseModel):
    password: str = Field(min_length=8)


def build_app() -> FastAPI:
    app = FastAPI()
    install_service_kit(app, ServiceSettings(max_body_bytes=1024))

    @app.post("/echo")
    def echo(body: Secret) -> dict[str, int]:
        return {"length": len(body.password)}

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def count(handler: str, status: str, method: str = "GET") -> float:
    labels = {"method": method, "handler": handler, "status": status}
    value = REGISTRY.get_sample_value("http_requests_total", labels)
    return value or 0.0


def test_a_body_declared_too_large_is_413_json_before_the_app_reads_it(client: TestClient):
    response = client.post("/echo", content=b"x" * 2048, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "request body larger than 1024 bytes"}


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client: TestClient):
    def chunks() -> Iterator[bytes]:
        yield b'{"password": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'"}'

    response = client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "1024 bytes" in response.json()["detail"]


def test_a_body_under_the_limit_goes_through(client: TestClient):
    assert client.post("/echo", json={"password": "x" * 900}).json() == {"length": 900}


@pytest.mark.anyio
async def test_a_lying_content_length_is_still_enforced_on_the_bytes():
    # Given a client that declares 10 bytes but streams 4 KiB (driven at the ASGI level)
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    chunks = [{"type": "http.request", "body": b"x" * 1024, "more_body": True} for _ in range(4)]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return chunks.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"10")]}
    await BodySizeLimitMiddleware(app, max_body_bytes=2000)(scope, receive, send)
    # Then the app never gets more than the limit and the client gets 413
    assert sum(map(len, seen)) <= 2048
    assert sent[0]["status"] == 413


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_non_numeric_content_length_is_400(anyio_backend: str):
    sent: list[MutableMapping[str, Any]] = []

    async def never(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not run")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"ten")]}
    await BodySizeLimitMiddleware(never)(scope, receive, send)
    assert sent[0]["status"] == 400


def test_a_request_id_is_echoed_or_generated(client: TestClient):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    # a hostile id (header injection, huge) is replaced, not echoed
    replaced = client.get("/healthz", headers={"X-Request-ID": "x" * 500}).headers["X-Request-ID"]
    assert replaced != "x" * 500


def test_access_logs_are_json_with_the_request_id(client: TestClient):
    # Given a JSON handler on the access logger
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("tlj.access").addHandler(handler)
    try:
        # When a request is made with an id
        client.get("/items/7", headers={"X-Request-ID": "log-me"})
    finally:
        logging.getLogger("tlj.access").removeHandler(handler)
    # Then one JSON line tells the request, its outcome and its id
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert (line["message"], line["request_id"], line["method"], line["path"], line["status"]) == (
        "request",
        "log-me",
        "GET",
        "/items/7",
        200,
    )
    assert line["duration_ms"] >= 0


def test_metrics_are_labelled_by_route_template_not_raw_path(client: TestClient):
    before = count("/items/{item_id}", "200")
    client.get("/items/1")
    client.get("/items/2")
    assert count("/items/{item_id}", "200") == before + 2
    assert count("/items/1", "200") == 0
    unmatched = count(UNMATCHED_ROUTE, "404")
    client.get("/no/such/path")
    assert count(UNMATCHED_ROUTE, "404") == unmatched + 1
    assert REGISTRY.get_sample_value(
        "http_request_duration_seconds_count", {"method": "GET", "handler": "/items/{item_id}"}
    )


def test_the_exporter_sends_no_created_series(client: TestClient):
    # Given a request counted; When the registry is rendered as a scrape sees it; Then no `_created` sample is in it
    client.get("/items/1")
    text = generate_latest(REGISTRY).decode()
    assert "http_requests_total{" in text
    assert not re.search(r"^\w+_created[{ ]", text, re.MULTILINE)  # a sample named <metric>_created


def _has_sample(handler: str, status: str, method: str = "GET") -> bool:
    labels = {"method": method, "handler": handler, "status": status}
    return REGISTRY.get_sample_value("http_requests_total", labels) is not None


def test_every_routes_5xx_series_exists_at_startup_so_the_first_error_is_seen_by_rate():
    # Given an app whose routes have never answered a 5xx (a path no other test calls, on a fresh app), declared
    # on an included router with a prefix, as the services declare theirs
    app = build_app()
    router = APIRouter(prefix="/never")

    @router.delete("/{thing}")
    def never(thing: str) -> None:
        raise RuntimeError(thing)

    app.include_router(router)
    assert not _has_sample("/never/{thing}", "503", "DELETE")
    # When it starts (lifespan)
    with TestClient(app, raise_server_exceptions=False) as started:
        # Then each of its routes has 500, 502, 503 and 504 at 0, labelled like the counted requests
        for status in ("500", "502", "503", "504"):
            assert count("/never/{thing}", status, "DELETE") == 0
            assert _has_sample("/never/{thing}", status, "DELETE")
        assert _has_sample("/items/{item_id}", "500")
        # and the primed series is the one a real error then increments (no second label order)
        started.delete("/never/x")
        assert count("/never/{thing}", "500", "DELETE") == 1
    assert not _has_sample("/never/{thing}", "200", "DELETE")  # successes are not primed: they come on their own


def test_metrics_are_not_served_on_the_api_port(client: TestClient):
    # Given the shared middleware; When the API port is asked for metrics; Then it has none (their own port has)
    assert client.get("/metrics").status_code == 404


def test_validation_errors_are_422_with_a_clear_detail_and_no_echo_of_input(client: TestClient):
    response = client.post("/echo", json={"password": "s3cr3t"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "password"]
    assert "at least 8" in detail[0]["msg"]
    assert "s3cr3t" not in response.text


def test_malformed_json_is_a_client_error(client: TestClient):
    response = client.post("/echo", content=b'{"password": ', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_an_unexpected_error_is_500_json_without_internals(client: TestClient):
    response = client.get("/boom", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error"}
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["X-Request-ID"] == "trace-me"
    assert count("/boom", "500") >= 1


def test_unknown_paths_and_methods_are_json(client: TestClient):
    assert client.get("/nope").json() == {"detail": "Not Found"}
    response = client.delete("/items/1")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_healthz_needs_nothing(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
