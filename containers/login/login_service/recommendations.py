"""The recommendation API call: the customer is the token's subject, optionally SigV4-signed for API Gateway."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from login_service.downstream import Downstream
from login_service.metrics import recommendations_served

SIGV4_SERVICE = "execute-api"


def recommendations_url(base_url: str, *, customer_id: str, k: int, items: str | None, lang: str | None = None) -> str:
    """The full URL; the query is RFC 3986-encoded (``,`` -> ``%2C``) so it equals SigV4's canonical form."""
    params = {"customer_id": customer_id, "k": str(k)}
    if items:
        params["items"] = items
    if lang:
        params["lang"] = lang
    query = urlencode(sorted(params.items()), quote_via=quote, safe="-_.~")
    return f"{base_url}/recommendations?{query}"


def sigv4_headers(
    *, method: str, url: str, headers: Mapping[str, str], credentials: Any, region: str
) -> dict[str, str]:
    """``headers`` plus the SigV4 ones (Authorization, X-Amz-Date, X-Amz-Security-Token) for ``execute-api``."""
    request = AWSRequest(method=method, url=url, headers=dict(headers))
    SigV4Auth(credentials, SIGV4_SERVICE, region).add_auth(request)
    return dict(request.headers.items())


class RecommendationsClient:
    """Calls ``GET {base_url}/recommendations`` through the shared :class:`Downstream`."""

    SERVICE = "recommendation service"

    def __init__(
        self, downstream: Downstream, *, base_url: str | None, sign: bool, credentials: Any, region: str
    ) -> None:
        self._downstream = downstream
        self._base_url = base_url
        self._sign = sign
        self._credentials = credentials
        self._region = region

    async def recommend(
        self, *, customer_id: str, k: int, items: str | None, request_id: str, lang: str | None = None
    ) -> Response:
        response = await self._recommend(customer_id=customer_id, k=k, items=items, request_id=request_id, lang=lang)
        recommendations_served(response.status_code)
        return response

    async def _recommend(
        self, *, customer_id: str, k: int, items: str | None, request_id: str, lang: str | None
    ) -> Response:
        if not self._base_url or (self._sign and self._credentials is None):
            return JSONResponse({"detail": "recommendations unavailable"}, status_code=503)
        url = recommendations_url(self._base_url, customer_id=customer_id, k=k, items=items, lang=lang)
        headers = {"Accept": "application/json", "X-Request-ID": request_id}
        if self._sign:
            # Refreshable credentials (IRSA) may call STS when they expire: keep that off the event loop.
            frozen = await run_in_threadpool(self._credentials.get_frozen_credentials)
            headers = sigv4_headers(method="GET", url=url, headers=headers, credentials=frozen, region=self._region)
        return await self._downstream.call(self.SERVICE, "GET", url, headers=headers)
