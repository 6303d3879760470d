"""The login gateway over HTTP (in-process) on moto; downstreams are in-process stand-ins."""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from login_service.keys import new_pem, signing_key_from_pem, thumbprint
from login_service.main import create_app
from tests.integration.services.conftest import ORDER_URL, RECO_URL, REGION, login_settings

SIGNUP = {"email": "Kim@Example.com", "password": "correct horse", "name": "Kim Minji", "phone": "010-1234-5678"}


class Recorder:
    """A downstream stand-in: records requests, answers with ``answer`` (a Response or an exception)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answer: httpx.Response | Exception = httpx.Response(200, json={"ok": True})
        self.delay = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def order_service() -> Recorder:
    return Recorder()


@pytest.fixture
def reco_service() -> Recorder:
    return Recorder()


def gateway(tmp_path: Path, order: Recorder, reco: Recorder, **settings: Any) -> TestClient:
    mounts = {ORDER_URL: httpx.MockTransport(order), RECO_URL: httpx.MockTransport(reco)}
    return TestClient(create_app(login_settings(tmp_path, **settings), mounts=mounts))


@pytest.fixture
def client(dynamodb: Any, tmp_path: Path, order_service: Recorder, reco_service: Recorder) -> Iterator[TestClient]:
    with gateway(tmp_path, order_service, reco_service) as test_client:
        yield test_client


def login(client: TestClient, email: str = "kim@example.com", password: str = SIGNUP["password"]) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password})


def token_of(client: TestClient) -> str:
    assert client.post("/auth/signup", json=SIGNUP).status_code == 201
    return str(login(client).json()["access_token"])


def test_signup_stores_a_normalised_customer_with_a_hashed_password(client: TestClient, dynamodb: Any):
    response = client.post("/auth/signup", json=SIGNUP)
    assert response.status_code == 201
    customer_id = response.json()["customer_id"]
    item = (
        boto3.resource("dynamodb", region_name=REGION)
        .Table(login_settings(Path()).customers_table)
        .get_item(Key={"customer_id": customer_id})["Item"]
    )
    assert (item["email"], item["phone"], item["role"], item["name"]) == (
        "kim@example.com",
        "+821012345678",
        "customer",
        "Kim Minji",
    )
    assert str(item["password_hash"]).startswith("$argon2id$")
    assert "correct horse" not in str(item)


def test_an_email_is_taken_whatever_its_case(client: TestClient):
    assert client.post("/auth/signup", json=SIGNUP).status_code == 201
    again = client.post("/auth/signup", json={**SIGNUP, "email": "KIM@example.COM", "phone": "+82 10-9999-8888"})
    assert again.status_code == 409
    assert again.json() == {"detail": "email already registered"}


@pytest.mark.parametrize(
    "overrides",
    [{"email": "nope"}, {"password": "short"}, {"name": ""}, {"phone": "12345"}, {"role": "staff"}],
)
def test_invalid_signups_are_422(client: TestClient, overrides: dict[str, Any]):
    response = client.post("/auth/signup", json={**SIGNUP, **overrides})
    assert response.status_code == 422
    assert response.json()["detail"]


def test_login_issues_an_eddsa_token_verifiable_with_the_jwks(client: TestClient):
    token = token_of(client)
    answer = login(client).json()
    assert (answer["token_type"], answer["expires_in"]) == ("bearer", 900)
    [jwk] = client.get("/.well-known/jwks.json").json()["keys"]
    assert jwk["kid"] == thumbprint(jwk)
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert jwt.get_unverified_header(token)["kid"] == jwk["kid"]
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"], audience="tlj-api", issuer="tlj-login")
    assert (claims["role"], claims["name"], claims["phone"]) == ("customer", "Kim Minji", "+821012345678")
    assert claims["exp"] - claims["iat"] == 900
    assert {"sub", "nbf", "jti"} <= set(claims)


def test_unknown_email_and_wrong_password_get_the_same_401(client: TestClient):
    client.post("/auth/signup", json=SIGNUP)
    unknown = login(client, email="nobody@example.com")
    wrong = login(client, password="wrong horse")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() == {"detail": "invalid email or password"}


def test_the_key_file_is_made_once_and_reused_across_restarts(dynamodb: Any, tmp_path: Path):
    kids = []
    for _ in range(2):
        with gateway(tmp_path, Recorder(), Recorder()) as client:
            kids.append(client.get("/.well-known/jwks.json").json()["keys"][0]["kid"])
    key_file = tmp_path / "run" / "signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert kids[0] == kids[1] == signing_key_from_pem(key_file.read_bytes()).kid


def test_a_key_in_secrets_manager_takes_precedence(dynamodb: Any, tmp_path: Path):
    pem = new_pem()
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name="tlj/signing-key", SecretString=pem.decode())
    with gateway(tmp_path, Recorder(), Recorder(), signing_key_secret_id="tlj/signing-key") as client:
        kid = client.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    assert kid == signing_key_from_pem(pem).kid
    assert not (tmp_path / "run" / "signing-key.pem").exists()


def test_order_calls_are_forwarded_with_token_key_request_id_and_query(client: TestClient, order_service: Recorder):
    order_service.answer = httpx.Response(201, json={"order_id": "X"}, headers={"Idempotent-Replayed": "true"})
    headers = {"Authorization": "Bearer abc", "Idempotency-Key": "k-1", "X-Request-ID": "req-42", "Cookie": "s=1"}
    response = client.post("/api/orders?dry=1", json={"items": []}, headers=headers)
    assert response.status_code == 201
    assert response.json() == {"order_id": "X"}
    assert response.headers["Idempotent-Replayed"] == "true"
    [sent] = order_service.requests
    assert (sent.method, str(sent.url)) == ("POST", f"{ORDER_URL}/orders?dry=1")
    assert sent.headers["authorization"] == "Bearer abc"
    assert sent.headers["idempotency-key"] == "k-1"
    assert sent.headers["x-request-id"] == "req-42"
    assert "cookie" not in sent.headers
    assert sent.content == b'{"items":[]}'


@pytest.mark.parametrize(
    ("method", "path", "downstream_path"),
    [
        ("GET", "/api/menu", "/menu"),
        ("GET", "/api/orders?limit=5&cursor=abc", "/orders?limit=5&cursor=abc"),
        ("GET", "/api/orders/01HZY3Q4V8W9X0A1B2C3D4E5F6", "/orders/01HZY3Q4V8W9X0A1B2C3D4E5F6"),
        ("POST", "/api/orders/01HZY3Q4V8W9X0A1B2C3D4E5F6/cancel", "/orders/01HZY3Q4V8W9X0A1B2C3D4E5F6/cancel"),
        ("PATCH", "/api/orders/01HZY3Q4V8W9X0A1B2C3D4E5F6/status", "/orders/01HZY3Q4V8W9X0A1B2C3D4E5F6/status"),
    ],
)
def test_each_api_path_maps_to_the_order_service_without_the_prefix(
    client: TestClient, order_service: Recorder, method: str, path: str, downstream_path: str
):
    order_service.answer = httpx.Response(404, json={"detail": "order not found"})
    response = client.request(method, path, json={} if method != "GET" else None)
    assert response.status_code == 404
    assert response.json() == {"detail": "order not found"}
    assert str(order_service.requests[0].url) == ORDER_URL + downstream_path


def test_an_order_id_that_could_rewrite_the_path_is_not_forwarded(client: TestClient, order_service: Recorder):
    assert client.get("/api/orders/..%2Fmenu").status_code in (404, 422)
    assert order_service.requests == []


def test_an_order_service_that_is_down_is_503_json(client: TestClient, order_service: Recorder):
    order_service.answer = httpx.ConnectError("refused")
    response = client.get("/api/menu")
    assert response.status_code == 503
    assert response.json() == {"detail": "order service unavailable"}


def test_a_slow_order_service_is_504_within_three_seconds(
    dynamodb: Any, tmp_path: Path, order_service: Recorder, reco_service: Recorder
):
    order_service.delay = 10
    with gateway(tmp_path, order_service, reco_service, downstream_timeout_seconds=0.5) as client:
        started = time.monotonic()
        response = client.get("/api/orders", headers={"Authorization": "Bearer x"})
    assert response.status_code == 504
    assert response.json() == {"detail": "order service timed out"}
    assert time.monotonic() - started < 3


def test_recommendations_need_a_token_of_this_gateway(client: TestClient, reco_service: Recorder):
    assert client.get("/api/recommendations").status_code == 401
    foreign = jwt.encode(
        {"sub": "x"}, signing_key_from_pem(new_pem()).private_key, algorithm="EdDSA", headers={"kid": "k"}
    )
    response = client.get("/api/recommendations", headers={"Authorization": f"Bearer {foreign}"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert reco_service.requests == []


def test_recommendations_are_for_the_token_subject_only(client: TestClient, reco_service: Recorder):
    token = token_of(client)
    subject = jwt.decode(token, options={"verify_signature": False})["sub"]
    reco_service.answer = httpx.Response(
        200, json={"items": [{"sku": "BRD-002", "name": "x", "score": 1, "reason": "r"}]}
    )
    response = client.get(
        "/api/recommendations",
        params={"k": 3, "items": "BRD-001,DRK-001", "customer_id": "someone-else"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.json()["items"][0]["sku"] == "BRD-002"
    [sent] = reco_service.requests
    assert sent.url.path == "/recommendations"
    assert dict(sent.url.params) == {"customer_id": subject, "k": "3", "items": "BRD-001,DRK-001"}
    assert "authorization" not in sent.headers  # the customer's token is not handed to the recommendation API


def test_recommendations_are_asked_in_the_storefront_language(client: TestClient, reco_service: Recorder):
    token = token_of(client)
    reco_service.answer = httpx.Response(200, json={"items": []})
    response = client.get("/api/recommendations", params={"lang": "en"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"  # a customer's recommendations stay out of caches
    [sent] = reco_service.requests
    assert sent.url.params["lang"] == "en"


def test_recommendations_are_signed_with_sigv4_when_enabled(
    dynamodb: Any, tmp_path: Path, order_service: Recorder, reco_service: Recorder
):
    with gateway(tmp_path, order_service, reco_service, recommendation_api_sigv4=True) as client:
        token = token_of(client)
        assert client.get("/api/recommendations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    authorization = reco_service.requests[0].headers["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=")
    assert f"/{REGION}/execute-api/aws4_request" in authorization


def test_recommendations_unconfigured_down_or_slow_are_503_or_504(
    dynamodb: Any, tmp_path: Path, order_service: Recorder, reco_service: Recorder
):
    with gateway(tmp_path, order_service, reco_service, recommendation_api_url=None) as client:
        token = token_of(client)
        unset = client.get("/api/recommendations", headers={"Authorization": f"Bearer {token}"})
    assert unset.status_code == 503
    assert unset.json() == {"detail": "recommendations unavailable"}
    with gateway(tmp_path, order_service, reco_service, downstream_timeout_seconds=0.3) as client:
        headers = {"Authorization": f"Bearer {login(client).json()['access_token']!s}"}
        reco_service.answer = httpx.ConnectError("refused")
        assert client.get("/api/recommendations", headers=headers).status_code == 503
        reco_service.answer, reco_service.delay = httpx.Response(200), 5
        assert client.get("/api/recommendations", headers=headers).status_code == 504


def test_recommendation_parameters_are_validated(client: TestClient, reco_service: Recorder):
    headers = {"Authorization": f"Bearer {token_of(client)}"}
    for params in ({"k": 0}, {"k": 21}, {"items": "a b"}, {"lang": "fr"}):
        assert client.get("/api/recommendations", params=params, headers=headers).status_code == 422
    assert reco_service.requests == []


def test_health_and_metrics(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.post("/auth/login", json={"email": "a@b.co", "password": "x"})
    labels = {"method": "POST", "handler": "/auth/login", "status": "401"}
    assert (REGISTRY.get_sample_value("http_requests_total", labels) or 0) >= 1
    assert client.get("/metrics").status_code == 404  # metrics have a port of their own


def test_login_is_not_an_oracle_for_emails(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    # Given an account, and a spy on argon2 verification
    client.post("/auth/signup", json=SIGNUP)
    from argon2 import PasswordHasher

    verified: list[str] = []
    original = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: Any, password: Any) -> bool:
        verified.append(str(hash))
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    # When an unknown email and a wrong password are tried, then each costs one argon2 verification
    login(client, email="ghost@example.com")
    login(client, password="wrong horse")
    assert len(verified) == 2
    assert all(h.startswith("$argon2id$") for h in verified)
