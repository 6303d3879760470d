"""Request ids (``asgi-correlation-id``: ``X-Request-ID`` in and out) and one JSON access log line a request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and harmless in logs and headers; otherwise a new one is made.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_access_log = logging.getLogger("tlj.access")


def is_valid_request_id(candidate: str) -> bool:
    return bool(_VALID_REQUEST_ID.match(candidate))


def new_request_id() -> str:
    return uuid.uuid4().hex


class AccessLogMiddleware:
    """One ``tlj.access`` line per request: method, path, status and duration (the id comes from the logger)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app raises before answering
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            _access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


def install_request_context(app: FastAPI) -> None:
    """Adds both middlewares; call it last so that the request id is set before anything else runs."""
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        # The request keeps the id it came with, so the header guard still refuses a hostile one (400); the id
        # in use is ``correlation_id``, which the gateway forwards.
        update_request_header=False,
        generator=new_request_id,
        validator=is_valid_request_id,
    )
