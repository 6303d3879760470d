"""Schema-driven fuzzing of the order service (schemathesis over ASGI, moto for AWS): whatever a client
sends with a valid token, the answer is never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from login_service.keys import SigningKey
from order_service.main import create_app
from tests.integration.services.conftest import jwks_transport, order_settings
from tests.integration.services.fuzzing import fuzz_every_operation


def test_no_input_makes_the_order_service_fail(dynamodb: Any, signing_key: SigningKey, issue_token: Callable[..., str]):
    # Given the order service on moto, and a staff token (it reaches every endpoint, the status change included)
    app = create_app(order_settings(docs_enabled=True), jwks_transport=jwks_transport(signing_key))  # /openapi.json
    headers = {"Authorization": f"Bearer {issue_token('cust-1', role='staff')}"}
    # When every operation is fuzzed with valid and invalid inputs, then none answers 5xx
    assert fuzz_every_operation(app, headers=headers, max_examples=40) == {}
