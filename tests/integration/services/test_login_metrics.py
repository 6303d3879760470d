"""The gateway's business metrics: each login answer counted under its own result, signups once written,
recommendations by what the customer got."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from login_service.auth_logic import AuthService, InvalidCredentialsError
from login_service.customers_repository import CustomersRepository
from login_service.models import LoginRequest
from login_service.passwords import PasswordHashingBusyError, Passwords
from login_service.throttle import build_throttle
from login_service.tokens import TokenIssuer
from tests.integration.services.conftest import login_settings, table
from tests.integration.services.metric_deltas import Deltas, series
from tests.integration.services.test_login_api import SIGNUP, Recorder, gateway, login, token_of

RESULTS = ("success", "invalid_credentials", "throttled", "busy")
ATTEMPTS = tuple(series("tlj_login_attempts_total", result=r) for r in RESULTS)
SIGNUPS = series("tlj_signups_total")
SERVED = tuple(series("tlj_recommendations_served_total", outcome=o) for o in ("ok", "unavailable"))


@pytest.fixture
def order_service() -> Recorder:
    return Recorder()


@pytest.fixture
def reco_service() -> Recorder:
    return Recorder()


@pytest.fixture
def client(dynamodb: Any, tmp_path: Path, order_service: Recorder, reco_service: Recorder) -> Iterator[TestClient]:
    with gateway(tmp_path, order_service, reco_service) as test_client:
        yield test_client


def attempts(result: str) -> str:
    return f'tlj_login_attempts_total{{result="{result}"}}'


def served(outcome: str) -> str:
    return f'tlj_recommendations_served_total{{outcome="{outcome}"}}'


def test_given_signups_then_only_the_accounts_written_are_counted(client: TestClient):
    deltas = Deltas(SIGNUPS, *ATTEMPTS)
    # When one signup succeeds, one reuses its email (409) and one is invalid (422)
    assert client.post("/auth/signup", json=SIGNUP).status_code == 201
    assert client.post("/auth/signup", json=SIGNUP).status_code == 409
    assert client.post("/auth/signup", json={**SIGNUP, "email": "not-an-email"}).status_code == 422
    # Then one account is counted, and no login attempt
    assert deltas.moved() == {"tlj_signups_total": 1}


def test_given_logins_then_success_and_invalid_credentials_are_told_apart(client: TestClient):
    assert client.post("/auth/signup", json=SIGNUP).status_code == 201
    deltas = Deltas(SIGNUPS, *ATTEMPTS)
    # When the right password, a wrong one and an unknown email are tried, and a malformed body (422) is sent
    assert login(client).status_code == 200
    assert login(client, password="wrong").status_code == 401
    assert login(client, email="nobody@example.com").status_code == 401
    assert client.post("/auth/login", json={"email": "kim@example.com"}).status_code == 422
    # Then one success and two invalid credentials; the 422 is no attempt
    assert deltas.moved() == {attempts("success"): 1, attempts("invalid_credentials"): 2}


def test_given_an_account_backing_off_then_refused_attempts_count_as_throttled(client: TestClient):
    # Given five failures: the account backs off
    assert client.post("/auth/signup", json=SIGNUP).status_code == 201
    assert [login(client, password=f"wrong {n}").status_code for n in range(5)] == [401] * 5
    deltas = Deltas(*ATTEMPTS)
    # When two more attempts come, one with the right password
    assert login(client).status_code == 429
    assert login(client, password="wrong 6").status_code == 429
    # Then both are throttled, neither a success nor invalid credentials
    assert deltas.moved() == {attempts("throttled"): 2}


class HeldHasher(PasswordHasher):
    """An argon2 hasher whose verification waits until released, holding its password-hash slot meanwhile."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.entered, self.release = threading.Event(), threading.Event()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.entered.set()
        self.release.wait(timeout=10)
        return super().verify(hash, password)


def test_given_no_free_password_hash_slot_then_the_attempt_counts_as_busy(
    dynamodb: Any, tmp_path: Path, signing_key: Any
):
    # Given a gateway with one hash slot, taken by a login still verifying
    hasher = HeldHasher()
    service = AuthService(
        customers=CustomersRepository(dynamodb, table("customers")),
        passwords=Passwords(hasher, concurrency=1, max_wait_seconds=0.05),
        throttle=build_throttle(login_settings(tmp_path), dynamodb),
        tokens=TokenIssuer(key=signing_key, issuer="tlj-login", audience="tlj-api", ttl_seconds=900),
    )
    request = LoginRequest(email="kim@example.com", password="whatever")
    deltas = Deltas(*ATTEMPTS)
    outcomes: list[BaseException] = []

    def first() -> None:
        try:
            service.login(request, client="203.0.113.1")
        except (InvalidCredentialsError, PasswordHashingBusyError) as exc:
            outcomes.append(exc)

    holder = threading.Thread(target=first)
    holder.start()
    assert hasher.entered.wait(timeout=10)
    # When another login finds no slot within the wait
    with pytest.raises(PasswordHashingBusyError):
        service.login(request, client="203.0.113.2")
    hasher.release.set()
    holder.join(timeout=10)
    # Then it is counted busy; the first, an unknown email, as invalid credentials
    assert [type(o) for o in outcomes] == [InvalidCredentialsError]
    assert deltas.moved() == {attempts("busy"): 1, attempts("invalid_credentials"): 1}


def test_given_recommendations_returned_then_they_count_ok_and_refusals_count_nothing(
    client: TestClient, reco_service: Recorder
):
    headers = {"Authorization": f"Bearer {token_of(client)}"}
    deltas = Deltas(*SERVED)
    # When recommendations are returned, then asked without a token (401) and with a bad k (422)
    reco_service.answer = httpx.Response(200, json={"items": []})
    assert client.get("/api/recommendations", headers=headers).status_code == 200
    assert client.get("/api/recommendations").status_code == 401
    assert client.get("/api/recommendations", params={"k": 0}, headers=headers).status_code == 422
    # Then one ok, no unavailable
    assert deltas.moved() == {served("ok"): 1}


def test_given_a_failing_or_slow_recommendation_api_then_the_answers_count_unavailable(
    dynamodb: Any, tmp_path: Path, order_service: Recorder, reco_service: Recorder
):
    with gateway(tmp_path, order_service, reco_service, downstream_timeout_seconds=0.3) as client:
        headers = {"Authorization": f"Bearer {token_of(client)}"}
        deltas = Deltas(*SERVED)
        # When the API refuses the connection (503), is slow (504) and fails itself (its 500 passed back)
        reco_service.answer = httpx.ConnectError("refused")
        assert client.get("/api/recommendations", headers=headers).status_code == 503
        reco_service.answer, reco_service.delay = httpx.Response(200), 5
        assert client.get("/api/recommendations", headers=headers).status_code == 504
        reco_service.answer, reco_service.delay = httpx.Response(500, json={"message": "boom"}), 0
        assert client.get("/api/recommendations", headers=headers).status_code == 500
    # Then all three are unavailable
    assert deltas.moved() == {served("unavailable"): 3}
