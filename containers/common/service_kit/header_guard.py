"""Pure-ASGI middleware answering 400 (401 for ``Authorization``) to a request whose header values are not
printable ASCII, before anything reads them.

Servers hand header values over as bytes (uvicorn's parsers let obs-text, bytes 0x80-0xFF, through); code that
encodes them again (httpx forwarding ``Idempotency-Key``, PyJWT reading a token) would fail with a 500. Every
header is checked, not only the ones the services read or forward today (Authorization, Idempotency-Key,
X-Request-ID, Accept-Language, Content-Type, Accept, ...), so a header forwarded tomorrow is covered too.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# RFC 9110 field-value: visible ASCII, space and horizontal tab; obs-text and control characters are refused.
_PRINTABLE = re.compile(rb"^[\t\x20-\x7e]*$")
_AUTHORIZATION = b"authorization"


def first_bad_header(scope: Scope) -> str | None:
    """The name of the first header whose value is not printable ASCII, ``None`` if all are."""
    for name, value in scope.get("headers", []):
        if not _PRINTABLE.match(value) or not _PRINTABLE.match(name):
            return name.decode("latin-1")
    return None


class HeaderGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bad = first_bad_header(scope) if scope["type"] == "http" else None
        if bad is None:
            await self.app(scope, receive, send)
            return
        # The name is echoed only when printable; the value never is.
        shown = bad if _PRINTABLE.match(bad.encode("latin-1")) else "(unprintable)"
        if bad.lower().encode("latin-1") == _AUTHORIZATION:
            response = JSONResponse(
                {"detail": "authorization header must be printable ASCII"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        else:
            response = JSONResponse({"detail": f"header {shown} must be printable ASCII"}, status_code=400)
        await response(scope, receive, send)
