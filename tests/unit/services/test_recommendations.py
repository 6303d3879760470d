"""The recommendation call: customer from the token, strict query encoding, SigV4 for execute-api."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from botocore.credentials import Credentials

from login_service.downstream import Downstream
from login_service.recommendations import RecommendationsClient, recommendations_url, sigv4_headers

CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token")


def test_the_url_carries_customer_k_and_items_rfc3986_encoded():
    url = recommendations_url("https://api.example/prod", customer_id="c-1", k=3, items="BRD-001,DRK-001")
    assert url == "https://api.example/prod/recommendations?customer_id=c-1&items=BRD-001%2CDRK-001&k=3"
    assert dict(parse_qsl(urlsplit(url).query)) == {"customer_id": "c-1", "items": "BRD-001,DRK-001", "k": "3"}


def test_no_items_means_no_items_parameter():
    assert "items" not in recommendations_url("https://api.example", customer_id="c-1", k=5, items=None)


def test_sigv4_signs_for_execute_api_in_the_region_with_the_session_token():
    url = recommendations_url(
        "https://abc.execute-api.ap-northeast-2.amazonaws.com/prod", customer_id="c-1", k=3, items="A,B"
    )
    headers = sigv4_headers(
        method="GET", url=url, headers={"Accept": "application/json"}, credentials=CREDENTIALS, region="ap-northeast-2"
    )
    authorization = headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/ap-northeast-2/execute-api/aws4_request" in authorization
    assert "SignedHeaders=accept;host;x-amz-date;x-amz-security-token" in authorization
    assert headers["X-Amz-Security-Token"] == "session-token"
    assert headers["Accept"] == "application/json"


def test_the_signature_covers_the_query_string():
    def signature(url: str) -> str:
        headers = sigv4_headers(method="GET", url=url, headers={}, credentials=CREDENTIALS, region="ap-northeast-2")
        return headers["Authorization"].rsplit("Signature=", 1)[1]

    base = "https://abc.execute-api.ap-northeast-2.amazonaws.com/prod"
    assert signature(recommendations_url(base, customer_id="c-1", k=3, items=None)) != signature(
        recommendations_url(base, customer_id="c-2", k=3, items=None)
    )


@pytest.mark.anyio
async def test_an_unconfigured_api_is_503_recommendations_unavailable():
    client = RecommendationsClient(
        Downstream(httpx.AsyncClient(), total_timeout=1), base_url=None, sign=False, credentials=None, region="x"
    )
    response = await client.recommend(customer_id="c-1", k=3, items=None, request_id="r")
    assert response.status_code == 503
    assert response.body == b'{"detail":"recommendations unavailable"}'


@pytest.mark.anyio
async def test_a_signed_call_reaches_the_api_with_the_signature_and_the_request_id():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": []})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = RecommendationsClient(
        Downstream(http, total_timeout=1),
        base_url="https://reco.example",
        sign=True,
        credentials=CREDENTIALS,
        region="ap-northeast-2",
    )
    response = await client.recommend(customer_id="c-1", k=2, items="A,B", request_id="req-1")
    assert response.status_code == 200
    [request] = seen
    assert request.url.query == b"customer_id=c-1&items=A%2CB&k=2"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256")
    assert request.headers["x-request-id"] == "req-1"


def test_the_gateway_caps_k_where_the_recommendation_api_does():
    """The gateway cannot import the Lambda package (its image does not ship it), so it keeps its own copy."""
    from lambdas.recommendation.models import MAX_K as API_MAX_K
    from login_service.routers.recommendations import MAX_K as GATEWAY_MAX_K

    assert GATEWAY_MAX_K == API_MAX_K


def test_the_language_is_part_of_the_signed_query_when_given():
    url = recommendations_url("https://api.example/prod", customer_id="c-1", k=3, items=None, lang="en")
    assert url == "https://api.example/prod/recommendations?customer_id=c-1&k=3&lang=en"
