"""Key rotation on a running gateway, over HTTP: after a rotation (SIGHUP, no restart) tokens signed with the old
key and with the new one both verify at the order service; once the old key is retired, its tokens keep verifying
until the order service's cached copy of the key expires, and are refused from then on."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from local.platform import Platform
from login_service.key_rotation import promote, retire, stage
from login_service.keys import new_pem, signing_key_from_pem
from tests.e2e.tuned_platform import pid_of, tuned_platform

pytestmark = pytest.mark.e2e

JWKS_CACHE_SECONDS = 1.0
KEY_RETENTION_SECONDS = 6.0


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with tuned_platform(
        tmp_path_factory.mktemp("rotation"),
        # Tokens live 60 s, far longer than the test: a refused old token is refused for its key, not its age.
        login_env={"TOKEN_TTL_SECONDS": "60", "SIGNING_KEY_REFRESH_SECONDS": "3600"},  # only SIGHUP re-reads
        # No refetch on an unknown kid during the test: the order service learns keys from its scheduled refreshes
        # only, so a new token verifying right after the promotion shows that staging published the key in time.
        order_env={
            "JWKS_CACHE_SECONDS": str(JWKS_CACHE_SECONDS),
            "JWKS_MIN_REFETCH_SECONDS": "3600",
            "JWKS_KEY_RETENTION_SECONDS": str(KEY_RETENTION_SECONDS),
        },
    ) as running:
        yield running


@pytest.fixture(scope="module")
def http(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as client:
        yield client


def login(http: httpx.Client, email: str, password: str) -> str:
    response = http.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def orders_status(http: httpx.Client, token: str) -> int:
    return http.get("/api/orders", headers={"Authorization": f"Bearer {token}"}).status_code


def published_kids(http: httpx.Client) -> list[str]:
    return [key["kid"] for key in http.get("/.well-known/jwks.json").json()["keys"]]


def rotate_file(platform: Platform, http: httpx.Client, value: str, expected_kids: list[str]) -> None:
    """Writes the key file as an operator would put the secret, sends SIGHUP, waits for the JWKS to show it."""
    path = Path(platform.settings.signing_key_file)
    temp = path.with_suffix(".new")
    temp.write_text(value)
    temp.chmod(0o600)
    os.replace(temp, path)
    os.kill(pid_of(platform, "login"), signal.SIGHUP)
    deadline = time.monotonic() + 5
    while published_kids(http) != expected_kids:
        assert time.monotonic() < deadline, f"the gateway still publishes {published_kids(http)}"
        time.sleep(0.05)


def test_old_and_new_tokens_verify_until_the_old_key_expires_then_only_the_new_one_does(
    platform: Platform, http: httpx.Client
):
    # Given a customer holding a token signed with the gateway's first key (the bare PEM it made at start)
    email, password = f"rot-{uuid.uuid4().hex[:8]}@example.com", "rotate-" + uuid.uuid4().hex[:8]
    created = http.post(
        "/auth/signup", json={"email": email, "password": password, "name": "R", "phone": "01055550199"}
    )
    assert created.status_code == 201, created.text
    old_token = login(http, email, password)
    key_file = Path(platform.settings.signing_key_file)
    old_kid = signing_key_from_pem(key_file.read_bytes()).kid
    assert published_kids(http) == [old_kid]
    assert orders_status(http, old_token) == 200

    # When the operator stages a new key and then promotes it, on the running gateway
    new_pem_value = new_pem()
    new_kid = signing_key_from_pem(new_pem_value).kid
    staged = stage(key_file.read_bytes(), new_pem_value)
    rotate_file(platform, http, staged, [old_kid, new_kid])
    assert jwt.get_unverified_header(login(http, email, password))["kid"] == old_kid  # staged: not signing yet
    time.sleep(JWKS_CACHE_SECONDS + 0.2)  # the operator waits for the order service's next JWKS refresh ...
    assert orders_status(http, old_token) == 200  # ... which a request triggers
    rotate_file(platform, http, promote(staged.encode()), [new_kid, old_kid])

    # Then new tokens are signed with the new key, and old and new tokens both verify at the order service
    new_token = login(http, email, password)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    assert (orders_status(http, old_token), orders_status(http, new_token)) == (200, 200)

    # When the old key is retired (dropped from the secret and so from the JWKS)
    rotate_file(platform, http, retire(key_file.read_bytes()), [new_kid])
    retired_at = time.monotonic()
    # Then the old token still verifies while the order service's copy of the key lasts
    assert orders_status(http, old_token) == 200
    # And is refused once that expires, well before the token itself would (60 s), while the new one still verifies
    while orders_status(http, old_token) == 200:
        assert time.monotonic() - retired_at < KEY_RETENTION_SECONDS + 5, "the retired key never expired"
        time.sleep(0.2)
    # (the order service last listed the key at its refresh just before the retirement: at most 1 s earlier)
    assert time.monotonic() - retired_at >= KEY_RETENTION_SECONDS - JWKS_CACHE_SECONDS - 0.5
    refused = http.get("/api/orders", headers={"Authorization": f"Bearer {old_token}"})
    assert refused.status_code == 401
    assert "unknown key" in refused.text
    assert orders_status(http, new_token) == 200
