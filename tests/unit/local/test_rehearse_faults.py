"""Faults of the rehearsal's preview: parsing FAULT, the deterministic 5xx and the delay, and that the service's own
Prometheus metrics count what was injected (the fault sits inside the instrumentator)."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from starlette.types import Message, Receive, Scope, Send

from local.faults import INJECTED_STATUS, PROBE_PATHS, Fault, FaultMiddleware, install_fault, parse_fault
from local.release import read_release, render
from service_kit.app import install_service_kit
from service_kit.settings import ServiceSettings


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("none", Fault(kind="none")),
        ("5xx=0.03", Fault(kind="5xx", value=0.03)),
        ("5xx=1", Fault(kind="5xx", value=1.0)),
        ("latency=0.9", Fault(kind="latency", value=0.9)),
        (" latency=2 ", Fault(kind="latency", value=2.0)),
    ],
)
def test_given_a_valid_fault_then_it_parses(text: str, fault: Fault) -> None:
    assert parse_fault(text) == fault


@pytest.mark.parametrize(
    "text",
    ["", "5xx", "5xx=", "5xx=0", "5xx=1.5", "5xx=-0.1", "5xx=nan", "5xx=1e-2", "latency=0", "latency=31",
     "latency=inf", "latency=abc", "timeout=1", "NONE", "5XX=0.1", "latency=0.9s", "5xx=0.1=2"],
)  # fmt: skip
def test_given_an_invalid_fault_then_the_error_says_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match=r"FAULT must be none, 5xx=R .* or latency=S"):
        parse_fault(text)


def drive(fault: Fault, paths: list[str]) -> list[int]:
    """Statuses the middleware gives for ``paths`` in order over an app answering 200 to everything."""

    async def ok(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = FaultMiddleware(ok, fault=fault)
    statuses: list[int] = []

    async def one(path: str) -> None:
        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        await middleware({"type": "http", "path": path, "method": "GET"}, receive, send)

    async def all_paths() -> None:
        for path in paths:
            await one(path)

    asyncio.run(all_paths())
    return statuses


def test_given_5xx_of_3_percent_then_exactly_3_of_each_100_orders_fail_at_fixed_positions() -> None:
    statuses = drive(Fault(kind="5xx", value=0.03), ["/orders"] * 300)
    failed = [index + 1 for index, status in enumerate(statuses) if status == INJECTED_STATUS]
    # every 1/R-th request: the 34th, 67th, 100th, ... (floor(n * R) grows), the same on every run
    assert failed[:3] == [34, 67, 100]
    assert len(failed) == 9
    assert drive(Fault(kind="5xx", value=0.03), ["/orders"] * 300) == statuses


def test_given_a_fault_then_probes_are_never_touched_nor_counted() -> None:
    paths = ["/readyz", "/orders", "/healthz"] * 4
    statuses = drive(Fault(kind="5xx", value=0.5), paths)
    assert [s for p, s in zip(paths, statuses, strict=True) if p in PROBE_PATHS] == [200] * 8
    assert [s for p, s in zip(paths, statuses, strict=True) if p == "/orders"] == [200, 503, 200, 503]


def test_given_latency_then_each_order_call_waits_and_probes_do_not() -> None:
    started = time.monotonic()
    drive(Fault(kind="latency", value=0.2), ["/readyz"] * 3)
    probes_s = time.monotonic() - started
    started = time.monotonic()
    drive(Fault(kind="latency", value=0.2), ["/orders"] * 3)
    orders_s = time.monotonic() - started
    assert probes_s < 0.1
    assert 0.6 <= orders_s < 1.2


@pytest.fixture
def instrumented() -> FastAPI:
    app = FastAPI()
    install_service_kit(app, ServiceSettings())

    @app.get("/orders")
    async def orders() -> dict[str, str]:
        return {"status": "ok"}

    return app


def sample(handler: str, status: str) -> float:
    value = REGISTRY.get_sample_value("http_requests_total", {"handler": handler, "method": "GET", "status": status})
    return value or 0.0


def test_given_the_fault_installed_then_the_services_metrics_count_the_injected_5xx(instrumented: FastAPI) -> None:
    # Given a service_kit app with the fault inside its instrumentator
    install_fault(instrumented, Fault(kind="5xx", value=0.25))
    before = sample("/orders", "503"), sample("/orders", "200")
    # When 8 order calls are made
    client = TestClient(instrumented)
    statuses = [client.get("/orders").status_code for _ in range(8)]
    # Then 2 were answered 503 by the fault, and http_requests_total counted them under the route's handler label
    assert statuses.count(503) == 2
    assert (sample("/orders", "503") - before[0], sample("/orders", "200") - before[1]) == (2.0, 6.0)


def test_given_the_fault_installed_then_it_sits_directly_inside_the_instrumentator(instrumented: FastAPI) -> None:
    install_fault(instrumented, Fault(kind="latency", value=0.1))
    names = [entry.cls.__name__ for entry in instrumented.user_middleware]  # type: ignore[attr-defined]
    # user_middleware[0] is the outermost (Starlette build_middleware_stack wraps in reverse)
    position = names.index("PrometheusInstrumentatorMiddleware")
    assert names[position + 1] == "FaultMiddleware"


def test_given_the_latency_fault_installed_then_the_measured_duration_includes_the_delay(instrumented: FastAPI) -> None:
    install_fault(instrumented, Fault(kind="latency", value=0.3))
    labels = {"handler": "/orders", "method": "GET"}
    sum_before = REGISTRY.get_sample_value("http_request_duration_seconds_sum", labels) or 0.0
    fast_before = REGISTRY.get_sample_value("http_request_duration_seconds_bucket", labels | {"le": "0.25"}) or 0.0
    TestClient(instrumented).get("/orders")
    sum_after = REGISTRY.get_sample_value("http_request_duration_seconds_sum", labels) or 0.0
    fast_after = REGISTRY.get_sample_value("http_request_duration_seconds_bucket", labels | {"le": "0.25"}) or 0.0
    # the histogram saw a request of at least 0.3 s: not in the 0.25 s bucket, 0.3 s more in the sum
    assert sum_after - sum_before >= 0.3
    assert fast_after == fast_before


def test_given_the_order_rollout_then_its_probe_paths_are_the_ones_the_fault_spares() -> None:
    release = read_release(render())
    paths = {probe["httpGet"]["path"] for probe in (release.readiness_probe, release.liveness_probe)}
    assert paths <= PROBE_PATHS
