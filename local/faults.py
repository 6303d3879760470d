"""Faults a rehearsal injects into the preview order service: ``none``, ``5xx=R`` and ``latency=S``.

``5xx=R`` answers a fraction R of the non-probe requests with a 503, deterministically: the n-th such request fails
when ``floor(n * R)`` grows, so exactly ``floor(n * R)`` of the first n fail (R = 0.03: the 34th, 67th, 100th, ...),
and two rehearsals of the same build see the same failures. ``latency=S`` delays every non-probe request by S
seconds before the service sees it. Probes (the Rollout's ``/healthz`` and ``/readyz``) pass untouched: a build that
breaks orders still passes its kubelet probes, which is exactly why the analysis must not measure probes.

The fault is an ASGI middleware placed *inside* the service's Prometheus instrumentation (``service_kit.metrics``),
so ``http_requests_total`` and ``http_request_duration_seconds`` count the injected 503s and delays exactly as they
would count a real bug. Starlette builds its stack from ``app.user_middleware`` with the first entry outermost
(starlette/applications.py ``build_middleware_stack``; ``add_middleware`` inserts at index 0), so the fault goes
right after the instrumentator's entry. Dev tooling only: nothing in ``containers/`` knows about it.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from dataclasses import dataclass
from typing import Literal

from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FaultKind = Literal["none", "5xx", "latency"]
FAULT_ENV = "TLJ_FAULT"  # how the rehearsal tells local.fault_app which fault to insert
PROBE_PATHS = frozenset({"/healthz", "/readyz"})  # the order Rollout's startup, liveness and readiness probes
INJECTED_STATUS = 503
MAX_LATENCY_S = 30.0
_USAGE = "FAULT must be none, 5xx=R (0 < R <= 1, e.g. 5xx=0.03) or latency=S (0 < S <= 30 seconds, e.g. latency=0.9)"
_NUMBER = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")  # plain decimal: no sign, exponent, inf or nan


@dataclass(frozen=True, kw_only=True)
class Fault:
    kind: FaultKind
    value: float = 0.0

    def __str__(self) -> str:
        return "none" if self.kind == "none" else f"{self.kind}={self.value:g}"


NO_FAULT = Fault(kind="none")


def parse_fault(text: str) -> Fault:
    """``none``, ``5xx=R`` or ``latency=S``; anything else is a ``ValueError`` whose message is the usage."""
    spec = text.strip()
    if spec == "none":
        return NO_FAULT
    kind, sep, raw = spec.partition("=")
    if not sep or kind not in ("5xx", "latency") or not _NUMBER.match(raw):
        raise ValueError(f"invalid fault {text!r}: {_USAGE}")
    value = float(raw)
    if kind == "5xx" and not 0 < value <= 1:
        raise ValueError(f"invalid fault {text!r}: the 5xx ratio must be > 0 and <= 1. {_USAGE}")
    if kind == "latency" and not 0 < value <= MAX_LATENCY_S:
        raise ValueError(f"invalid fault {text!r}: the latency must be > 0 and <= {MAX_LATENCY_S:g} s. {_USAGE}")
    return Fault(kind="5xx" if kind == "5xx" else "latency", value=value)


class FaultMiddleware:
    """Pure ASGI middleware applying ``fault`` to every HTTP request whose path is not a probe."""

    def __init__(self, app: ASGIApp, *, fault: Fault) -> None:
        self.app = app
        self.fault = fault
        self.seen = 0  # non-probe requests so far; one process, one event loop: no lock needed
        self.injected = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS or self.fault.kind == "none":
            await self.app(scope, receive, send)
            return
        self.seen += 1
        if self.fault.kind == "latency":
            await asyncio.sleep(self.fault.value)
            await self.app(scope, receive, send)
            return
        if math.floor(self.seen * self.fault.value + 1e-9) > self.injected:
            self.injected += 1
            await _answer_injected(send)
            return
        await self.app(scope, receive, send)


async def _answer_injected(send: Send) -> None:
    body = json.dumps({"detail": "fault injected by the release rehearsal (local/faults.py)"}).encode()
    start: Message = {
        "type": "http.response.start",
        "status": INJECTED_STATUS,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


def install_fault(app: Starlette, fault: Fault) -> None:
    """Insert ``FaultMiddleware`` directly inside the Prometheus instrumentator of an app not yet started."""
    if fault.kind == "none":
        return
    positions = [i for i, entry in enumerate(app.user_middleware) if entry.cls is PrometheusInstrumentatorMiddleware]
    if not positions:
        raise RuntimeError(f"no Prometheus instrumentator among the app's middleware: {app.user_middleware}")
    app.user_middleware.insert(positions[0] + 1, Middleware(FaultMiddleware, fault=fault))
