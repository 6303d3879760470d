"""Login protection on moto: shared failure counters, 429 back-off, signup limits, rehashing, staff provisioning."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from login_service import admin
from login_service.attempts_repository import AttemptsRepository, Counter
from login_service.main import create_app
from tests.integration.services.conftest import ORDER_URL, RECO_URL, REGION, login_settings, table

SIGNUP = {"email": "kim@example.com", "password": "correct horse", "name": "Kim Minji", "phone": "010-1234-5678"}


def gateway(tmp_path: Path, **settings: Any) -> TestClient:
    answer = httpx.MockTransport(lambda _: httpx.Response(200, json={}))
    return TestClient(create_app(login_settings(tmp_path, **settings), mounts={ORDER_URL: answer, RECO_URL: answer}))


@pytest.fixture
def client(dynamodb: Any, tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        yield test_client


def login(client: TestClient, password: str, email: str = SIGNUP["email"], **headers: str) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password}, headers=headers)


def customers() -> Any:
    return boto3.resource("dynamodb", region_name=REGION).Table(table("customers"))


# --- the counters' repository ------------------------------------------------------------------------------------


def test_given_concurrent_style_hits_then_the_counter_adds_atomically_and_carries_a_ttl(dynamodb: Any) -> None:
    # Given the throttle table; When one key is hit three times
    attempts = AttemptsRepository(dynamodb, table("throttle"))
    counters = [attempts.add("k", now=1000.0 + n, ttl_seconds=900, sliding=True) for n in range(3)]
    # Then each hit returns the new total, the latest time and an expiry pushed along
    assert [c.hits for c in counters] == [1, 2, 3]
    assert counters[-1] == Counter(hits=3, last_at=1002.0, expires_at=1902)
    item = dynamodb.get_item(TableName=table("throttle"), Key={"pk": {"S": "k"}})["Item"]
    assert item["expires_at"] == {"N": "1902"}
    assert attempts.get("k", now=1500) == counters[-1]


def test_given_a_fixed_window_then_later_hits_do_not_move_its_expiry(dynamodb: Any) -> None:
    attempts = AttemptsRepository(dynamodb, table("throttle"))
    attempts.add("s", now=1000.0, ttl_seconds=3600, sliding=False)
    assert attempts.add("s", now=2000.0, ttl_seconds=3600, sliding=False).expires_at == 4600


def test_given_an_expired_counter_that_ttl_has_not_deleted_yet_then_it_counts_as_gone(dynamodb: Any) -> None:
    # Given a counter past its expiry, still stored (DynamoDB deletes expired items only eventually)
    attempts = AttemptsRepository(dynamodb, table("throttle"))
    for n in range(7):
        attempts.add("old", now=1000.0 + n, ttl_seconds=60, sliding=True)
    # Then it reads as absent, and the next hit starts again from one
    assert attempts.get("old", now=2000) is None
    assert attempts.add("old", now=2000.0, ttl_seconds=60, sliding=True) == Counter(
        hits=1, last_at=2000.0, expires_at=2060
    )
    attempts.delete("old")
    assert attempts.get("old", now=2000) is None


# --- over HTTP -----------------------------------------------------------------------------------------------------


def test_given_five_wrong_passwords_then_the_sixth_attempt_is_429_and_the_right_one_works_after_the_wait(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an account and five wrong passwords
    assert client.post("/auth/signup", json=SIGNUP).status_code == 201
    statuses = [login(client, f"wrong {n}").status_code for n in range(5)]
    assert statuses == [401] * 5
    # When the sixth attempt comes, even with the right password
    refused = login(client, SIGNUP["password"])
    # Then it is 429 with a Retry-After
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    # And each failure was logged with a keyed digest of the email and the client, never the email itself
    failures = [r for r in caplog.records if r.getMessage() == "login failed"]
    assert len(failures) == 5
    assert {r.__dict__["client"] for r in failures} == {"testclient"}
    assert all(len(r.__dict__["email_hash"]) == 32 for r in failures)
    assert "kim@example.com" not in caplog.text
    # When the wait has passed, then the right password logs in and forgives the failures
    time.sleep(1.05)
    assert login(client, SIGNUP["password"]).status_code == 200
    assert login(client, "wrong again").status_code == 401


def test_given_unknown_emails_then_they_back_off_like_real_accounts(client: TestClient) -> None:
    statuses = [login(client, "whatever", email="nobody@example.com").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_given_failures_counted_by_one_pod_then_another_pod_refuses_too(dynamodb: Any, tmp_path: Path) -> None:
    with gateway(tmp_path / "a") as first, gateway(tmp_path / "b") as second:
        assert first.post("/auth/signup", json=SIGNUP).status_code == 201
        for n in range(5):
            assert login(first, f"wrong {n}").status_code == 401
        assert login(second, SIGNUP["password"]).status_code == 429


def test_given_many_accounts_failing_from_one_address_behind_the_alb_then_that_address_backs_off(
    dynamodb: Any, tmp_path: Path
) -> None:
    # Given one trusted hop and a per-address allowance of 3 failures
    with gateway(tmp_path, trusted_proxy_hops=1, address_failures_before_backoff=3) as client:
        for n in range(3):
            spoofed_left = f"6.6.6.{n}, 203.0.113.7"  # the client sent the left entry; the ALB appended the right
            assert (
                login(client, "x", email=f"user{n}@example.com", **{"X-Forwarded-For": spoofed_left}).status_code == 401
            )
        # Then a new account from that address is refused, from another address it is not
        assert login(client, "x", email="new@example.com", **{"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        assert login(client, "x", email="new@example.com", **{"X-Forwarded-For": "198.51.100.1"}).status_code == 401


def test_given_signups_beyond_the_addresss_allowance_then_they_are_429(dynamodb: Any, tmp_path: Path) -> None:
    with gateway(tmp_path, signups_per_address=2) as client:
        emails = [f"new{n}@example.com" for n in range(3)]
        answers = [client.post("/auth/signup", json={**SIGNUP, "email": email}) for email in emails]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert int(answers[-1].headers["Retry-After"]) > 3000


def test_given_a_hash_with_the_old_default_parameters_then_login_works_and_rehashes_it(client: TestClient) -> None:
    # Given an account whose hash was made with argon2-cffi's default profile (64 MiB)
    customer_id = client.post("/auth/signup", json=SIGNUP).json()["customer_id"]
    customers().update_item(
        Key={"customer_id": customer_id},
        UpdateExpression="SET password_hash = :h",
        ExpressionAttributeValues={":h": PasswordHasher().hash(SIGNUP["password"])},
    )
    # When the customer logs in
    assert login(client, SIGNUP["password"]).status_code == 200
    # Then the stored hash uses the current parameters and still verifies
    stored = customers().get_item(Key={"customer_id": customer_id})["Item"]["password_hash"]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert login(client, SIGNUP["password"]).status_code == 200


# --- staff provisioning ----------------------------------------------------------------------------------------------


@pytest.fixture
def admin_env(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMERS_TABLE", table("customers"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("STAFF_PASSWORD", "staff password")


STAFF_ARGS = ["create-staff", "--email", "Lee@Example.com", "--name", "Lee", "--phone", "010-5555-6666"]


def test_given_the_admin_cli_then_it_creates_a_staff_account_with_the_email_lock(
    admin_env: None, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # When an operator creates a staff account
    assert admin.main(STAFF_ARGS) == 0
    assert "created staff account" in capsys.readouterr().out
    # Then it logs in as staff, and a signup with the same email (any case) is refused
    lock = customers().get_item(Key={"customer_id": "email#lee@example.com"}).get("Item")
    assert lock is not None
    assert login(client, "staff password", email="lee@example.com").status_code == 200
    assert client.post("/auth/signup", json={**SIGNUP, "email": "LEE@example.com"}).status_code == 409
    # And creating it twice is refused
    assert admin.main(STAFF_ARGS) == 1
    assert "already registered" in capsys.readouterr().err


def test_given_no_staff_password_then_the_cli_refuses_before_writing(
    admin_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STAFF_PASSWORD")
    assert admin.main(STAFF_ARGS) == 2
    assert "STAFF_PASSWORD" in capsys.readouterr().err
    assert customers().scan(Select="COUNT")["Count"] == 0


def test_given_an_account_written_without_a_lock_then_signup_cannot_shadow_it(client: TestClient) -> None:
    # Given a staff account written the old way: no email lock, only the item the by-email index finds
    item = {
        "customer_id": "staff-1",
        "email": "boss@example.com",
        "role": "staff",
        "name": "Boss",
        "phone": "+821000000000",
    }
    customers().put_item(Item={**item, "password_hash": PasswordHasher().hash("staff password"), "created_at": ""})
    # When someone signs up with that email
    answer = client.post("/auth/signup", json={**SIGNUP, "email": "boss@example.com"})
    # Then it is refused, and the email still logs in to the staff account
    assert answer.status_code == 409
    assert login(client, "staff password", email="boss@example.com").status_code == 200
