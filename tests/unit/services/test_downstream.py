"""The gateway's downstream calls: status/body/content type passed back; 503/504 JSON, never a hang."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from login_service.downstream import Downstream

pytestmark = pytest.mark.anyio


def downstream(handler: object, total: float = 0.5) -> Downstream:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return Downstream(client, total_timeout=total)


async def test_the_downstream_answer_is_passed_back():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            409,
            json={"detail": "taken", "saw": request.headers.get("authorization")},
            headers={"Idempotent-Replayed": "true", "X-Internal": "secret", "Set-Cookie": "a=b"},
        )

    response = await downstream(handler).call(
        "order service", "POST", "http://o/orders", headers={"authorization": "Bearer t"}
    )
    assert response.status_code == 409
    assert response.body == b'{"detail":"taken","saw":"Bearer t"}'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["idempotent-replayed"] == "true"
    assert "x-internal" not in response.headers
    assert "set-cookie" not in response.headers


async def test_query_params_and_body_are_forwarded():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    await downstream(handler).call(
        "order service",
        "POST",
        "http://o/orders",
        headers={},
        params=[("limit", "5"), ("cursor", "a b")],
        content=b"{}",
    )
    assert seen[0].url.params.multi_items() == [("limit", "5"), ("cursor", "a b")]
    assert seen[0].content == b"{}"


async def test_a_query_already_in_the_url_is_kept_as_is():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    await downstream(handler).call("reco", "GET", "http://r/recommendations?items=A%2CB&k=3", headers={})
    assert seen[0].url.query == b"items=A%2CB&k=3"


async def test_a_downstream_that_is_down_is_503_json():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    response = await downstream(handler).call("order service", "GET", "http://o/menu", headers={})
    assert response.status_code == 503
    assert response.body == b'{"detail":"order service unavailable"}'


async def test_a_downstream_timeout_is_504_json():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    response = await downstream(handler).call("order service", "GET", "http://o/menu", headers={})
    assert response.status_code == 504
    assert response.body == b'{"detail":"order service timed out"}'


async def test_a_downstream_that_never_answers_is_cut_at_the_total_budget():
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    started = time.monotonic()
    response = await downstream(handler, total=0.3).call("order service", "GET", "http://o/menu", headers={})
    assert response.status_code == 504
    assert time.monotonic() - started < 1.0


async def test_a_request_httpx_cannot_build_is_a_503_json_not_a_500():
    # Given a header value httpx cannot encode (the header guard refuses such input first; this is the backstop)
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    # When the call is made
    response = await downstream(handler).call(
        "order service", "POST", "http://o/orders", headers={"idempotency-key": "caf\u00e9\u2603"}
    )
    # Then the gateway answers JSON 503 naming the service
    assert response.status_code == 503
    assert response.body == b'{"detail":"order service unavailable"}'
