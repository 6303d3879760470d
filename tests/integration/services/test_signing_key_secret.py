"""The gateway's signing keys from Secrets Manager (moto): the rotation format, and a re-read without restart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import httpx
from fastapi.testclient import TestClient

from login_service.customers_repository import Customer
from login_service.key_rotation import promote, stage
from login_service.keys import new_pem, signing_key_from_pem
from login_service.main import create_app
from login_service.tokens import TokenIssuer
from tests.integration.services.conftest import AUDIENCE, ISSUER, ORDER_URL, RECO_URL, REGION, login_settings

SECRET = "tlj-test/login/signing-key"
CUSTOMER = Customer(
    customer_id="c-1", email="", password_hash="", name="Kim", phone="+821012345678", role="customer", created_at=""
)


def gateway(tmp_path: Path, reco: list[httpx.Request], **settings: Any) -> TestClient:
    def answer(request: httpx.Request) -> httpx.Response:
        reco.append(request)
        return httpx.Response(200, json={"items": []})

    mounts = {ORDER_URL: httpx.MockTransport(answer), RECO_URL: httpx.MockTransport(answer)}
    return TestClient(create_app(login_settings(tmp_path, signing_key_secret_id=SECRET, **settings), mounts=mounts))


def token_signed_with(pem: bytes) -> str:
    issuer = TokenIssuer(key=signing_key_from_pem(pem), issuer=ISSUER, audience=AUDIENCE, ttl_seconds=900)
    return issuer.issue(CUSTOMER)


def kids(client: TestClient) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]


def test_a_rotated_secret_publishes_both_keys_and_the_gateway_accepts_tokens_of_both(dynamodb: Any, tmp_path: Path):
    # Given a secret in the rotation format: current A, previous B
    a, b = new_pem(), new_pem()
    value = json.dumps({"current": a.decode(), "previous": b.decode()})
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name=SECRET, SecretString=value)
    reco: list[httpx.Request] = []
    with gateway(tmp_path, reco) as client:
        # Then the JWKS publishes A then B
        assert kids(client) == [signing_key_from_pem(a).kid, signing_key_from_pem(b).kid]
        # And the gateway's own check (recommendations) takes tokens of either key, and no other
        for pem in (a, b):
            response = client.get("/api/recommendations", headers={"Authorization": f"Bearer {token_signed_with(pem)}"})
            assert response.status_code == 200, response.text
        stranger = client.get(
            "/api/recommendations", headers={"Authorization": f"Bearer {token_signed_with(new_pem())}"}
        )
        assert stranger.status_code == 401
    assert len(reco) == 2


def test_a_new_secret_value_is_picked_up_while_the_gateway_runs(dynamodb: Any, tmp_path: Path):
    # Given a gateway started with a bare PEM, re-reading its secret every 0.1 s
    secrets = boto3.client("secretsmanager", region_name=REGION)
    old = new_pem()
    secrets.create_secret(Name=SECRET, SecretString=old.decode())
    with gateway(tmp_path, [], signing_key_refresh_seconds=0.1) as client:
        assert kids(client) == [signing_key_from_pem(old).kid]
        # When the operator puts the rotated value (staged, then promoted)
        new = new_pem()
        secrets.put_secret_value(SecretId=SECRET, SecretString=promote(stage(old, new).encode()))
        # Then, without a restart, the new key is current and the old one still published
        deadline = time.monotonic() + 5
        while kids(client)[0] != signing_key_from_pem(new).kid:
            assert time.monotonic() < deadline, "the gateway never re-read its secret"
            time.sleep(0.05)
        assert kids(client) == [signing_key_from_pem(new).kid, signing_key_from_pem(old).kid]
        # And a value it cannot read leaves the keys as they were
        secrets.put_secret_value(SecretId=SECRET, SecretString="not a key")
        time.sleep(0.3)
        assert kids(client) == [signing_key_from_pem(new).kid, signing_key_from_pem(old).kid]
