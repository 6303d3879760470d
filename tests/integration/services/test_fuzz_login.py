"""Schema-driven fuzzing of the login gateway (schemathesis over ASGI, moto for AWS, in-process stand-ins
for the order and recommendation services): whatever a client sends, the answer is never a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from login_service.main import create_app
from tests.integration.services.conftest import ORDER_URL, RECO_URL, login_settings
from tests.integration.services.fuzzing import fuzz_every_operation


def downstream_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": []})


def test_no_input_makes_the_gateway_fail(dynamodb: Any, tmp_path: Path):
    # Given the gateway on moto with healthy downstreams, and a real token from its own signup and login
    mounts = {ORDER_URL: httpx.MockTransport(downstream_ok), RECO_URL: httpx.MockTransport(downstream_ok)}
    settings = login_settings(tmp_path, docs_enabled=True)  # schemathesis reads /openapi.json
    with TestClient(create_app(settings, mounts=mounts)) as client:
        body = {"email": "fuzz@example.com", "password": "fuzz password", "name": "Fuzz", "phone": "010-5555-6666"}
        assert client.post("/auth/signup", json=body).status_code == 201
        token = client.post("/auth/login", json={"email": body["email"], "password": body["password"]}).json()
    app = create_app(settings, mounts=mounts)  # same key file, so the token stays valid
    # When every operation is fuzzed with valid and invalid inputs, then none answers 5xx
    failures = fuzz_every_operation(app, headers={"Authorization": f"Bearer {token['access_token']}"}, max_examples=30)
    assert failures == {}
