"""Brute-force back-off, signup limits and staff provisioning, over real HTTP against the local platform.

Per-account back-off is on in the session's platform as configured for the laptop. The per-address limits are
loose there (every e2e user comes from 127.0.0.1), so a second login process with tight ones and one trusted
proxy hop is started beside it, on the same emulator and tables.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace

import httpx
import jwt
import pytest

from local import processes
from local.components import build_components, child_env
from local.platform import Platform
from local.processes import free_ports
from local.settings import REPO_ROOT

pytestmark = pytest.mark.e2e


def new_email(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


PASSWORD = "correct-horse"


def signup(url: str, email: str, password: str = PASSWORD, **headers: str) -> httpx.Response:
    body = {"email": email, "password": password, "name": "Test", "phone": "010-5555-0101"}
    return httpx.post(f"{url}/auth/signup", json=body, headers=headers, timeout=10)


def login(url: str, email: str, password: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{url}/auth/login", json={"email": email, "password": password}, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def strict_login(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second login process on the same emulator: 3 signups and 3 failures per address, one trusted hop."""
    login_fields = [name for name in type(platform.settings).model_fields if name.startswith("login_")]
    ports = dict(zip(login_fields, free_ports(len(login_fields)), strict=True))
    settings = platform.settings.model_copy(update=ports)
    (component,) = [c for c in build_components(settings) if c.name == "login"]
    strict = {"SIGNUPS_PER_ADDRESS": "3", "ADDRESS_FAILURES_BEFORE_BACKOFF": "3", "TRUSTED_PROXY_HOPS": "1"}
    component = replace(component, env={**component.env, **strict})
    log = tmp_path_factory.mktemp("strict-login") / "login.log"
    process = processes.spawn(component.command, env=child_env(component, os.environ), cwd=REPO_ROOT, log=log)
    url = f"http://127.0.0.1:{settings.login_port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text(encoding="utf-8")[-2000:]
            assert time.monotonic() < deadline, "the strict login process did not become ready"
            time.sleep(0.2)
        yield url
    finally:
        processes.stop(process.pid)


def test_given_wrong_passwords_then_the_sixth_attempt_is_429_and_the_right_password_works_after_the_wait(
    platform: Platform,
) -> None:
    # Given an account
    email = new_email("brute")
    assert signup(platform.login_url, email).status_code == 201
    # When wrong passwords are tried one after the other
    answers = [login(platform.login_url, email, f"guess-{n}") for n in range(10)]
    statuses = [a.status_code for a in answers]
    # Then the first five are the usual 401 and the sixth is 429 with a Retry-After (before the tenth failure)
    assert statuses[:6] == [401] * 5 + [429]
    first_refusal = answers[5]
    retry_after = int(first_refusal.headers["Retry-After"])
    assert 1 <= retry_after <= 900
    # And while backing off even the right password is refused
    assert login(platform.login_url, email, PASSWORD).status_code == 429
    # When the window has passed, then the right password logs in
    time.sleep(retry_after + 0.1)
    assert login(platform.login_url, email, PASSWORD).status_code == 200


def test_given_signups_from_one_address_then_the_fourth_is_429_while_another_address_may_sign_up(
    strict_login: str,
) -> None:
    # Given the ALB's view: the right-most X-Forwarded-For entry is the client (the left one is client-sent)
    same_client = {"X-Forwarded-For": "6.6.6.6, 203.0.113.10"}
    # When one address signs up four times
    statuses = [signup(strict_login, new_email("signup"), **same_client).status_code for _ in range(4)]
    # Then the fourth is refused with a Retry-After, and another address still signs up
    assert statuses == [201, 201, 201, 429]
    refused = signup(strict_login, new_email("signup"), **same_client)
    assert int(refused.headers["Retry-After"]) > 0
    assert signup(strict_login, new_email("signup"), **{"X-Forwarded-For": "203.0.113.11"}).status_code == 201


def test_given_credential_stuffing_from_one_address_then_that_address_backs_off_for_every_account(
    strict_login: str,
) -> None:
    stuffer = {"X-Forwarded-For": "203.0.113.20"}
    statuses = [login(strict_login, new_email("stuffed"), "leaked-pass", **stuffer).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login(strict_login, new_email("other"), "x", **{"X-Forwarded-For": "203.0.113.21"}).status_code == 401


def test_given_make_staff_then_the_account_is_staff_cannot_be_shadowed_and_its_status_changes_are_recorded(
    platform: Platform,
) -> None:
    # Given a staff account provisioned with `make staff` against this platform's emulator
    email, password = new_email("staff"), "staff-password-1"
    env = {**os.environ, "AWS_PORT": str(platform.settings.aws_port), "STAFF_PASSWORD": password}
    made = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "staff", f"EMAIL={email}", "NAME=Lee", "PHONE=010-7777-0101"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "created staff account" in made.stdout
    # When someone tries to sign up with the staff email (another case), then it is refused
    assert signup(platform.login_url, email.upper()).status_code == 409
    # And the staff member logs in with a staff token
    staff_login = login(platform.login_url, email, password)
    assert staff_login.status_code == 200, staff_login.text
    staff = {"Authorization": f"Bearer {staff_login.json()['access_token']}"}
    # When staff moves a customer's order along
    customer_email = new_email("customer")
    assert signup(platform.login_url, customer_email).status_code == 201
    customer = {"Authorization": f"Bearer {login(platform.login_url, customer_email, PASSWORD).json()['access_token']}"}
    menu = httpx.get(f"{platform.login_url}/api/menu", timeout=10).json()
    items = menu["items"] if isinstance(menu, dict) else menu
    sku = next(item["sku"] for item in items if item["available"])
    order = httpx.post(
        f"{platform.login_url}/api/orders", json={"items": [{"sku": sku, "quantity": 1}]}, headers=customer, timeout=10
    ).json()
    moved = httpx.patch(
        f"{platform.order_url}/orders/{order['order_id']}/status",
        json={"status": "BAKING", "customer_id": order["customer_id"]},
        headers=staff,
        timeout=10,
    )
    # Then the order records who moved it and when, also as the customer sees it
    assert moved.status_code == 200, moved.text
    seen = httpx.get(f"{platform.login_url}/api/orders/{order['order_id']}", headers=customer, timeout=10).json()
    (change,) = seen["status_history"]
    assert (change["status"], change["role"]) == ("BAKING", "staff")
    assert change["by"] == staff_login_subject(staff_login)
    assert change["at"] == seen["updated_at"]


def staff_login_subject(answer: httpx.Response) -> str:
    return str(jwt.decode(answer.json()["access_token"], options={"verify_signature": False})["sub"])
