"""Calls to the services behind the gateway through one pooled ``httpx.AsyncClient``.

The whole call is bounded (``asyncio.timeout``) because httpx's timeouts apply per phase: a downstream
that is down answers 503, one that is slow 504, both as JSON and within the budget — never a hang.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import httpx
from fastapi.responses import JSONResponse, Response

_log = logging.getLogger(__name__)

# Response headers handed back to the client; hop-by-hop and encoding headers are not (httpx decodes bodies).
PASSED_BACK_HEADERS = ("content-type", "idempotent-replayed", "www-authenticate", "retry-after", "cache-control")


class Downstream:
    def __init__(self, client: httpx.AsyncClient, *, total_timeout: float) -> None:
        self._client = client
        self._total_timeout = total_timeout

    async def call(
        self,
        service: str,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Sequence[tuple[str, str]] = (),
        content: bytes | None = None,
    ) -> Response:
        """The downstream's status, body and content type; 503/504 JSON naming ``service`` when it fails."""
        try:
            async with asyncio.timeout(self._total_timeout):
                # No params -> None, so a query already in ``url`` (signed for SigV4) is kept as it is.
                upstream = await self._client.request(
                    method, url, headers=dict(headers), params=list(params) or None, content=content
                )
        except (TimeoutError, httpx.TimeoutException):
            _log.warning("downstream timed out", extra={"service": service, "url": url})
            return JSONResponse({"detail": f"{service} timed out"}, status_code=504)
        except httpx.HTTPError as exc:
            _log.warning("downstream unavailable", extra={"service": service, "url": url, "error": repr(exc)})
            return JSONResponse({"detail": f"{service} unavailable"}, status_code=503)
        except (httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError, UnicodeError, ValueError, TypeError) as exc:
            # Not httpx.HTTPError subclasses: a request httpx refused to build (a header it cannot encode, a URL
            # it cannot parse). The header guard refuses such input first; this keeps the answer JSON regardless.
            _log.error("downstream request not sent", extra={"service": service, "url": url, "error": repr(exc)})
            return JSONResponse({"detail": f"{service} unavailable"}, status_code=503)
        passed_back = {name: upstream.headers[name] for name in PASSED_BACK_HEADERS if name in upstream.headers}
        return Response(content=upstream.content, status_code=upstream.status_code, headers=passed_back)
