"""The order service's JWKS cache: cached, refetched on unknown kid (rate-limited), 503 when unreachable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from login_service.keys import SigningKey, new_pem, signing_key_from_pem
from order_service.jwks import JwksCache, JwksUnavailableError, parse_jwks
from service_kit.jwt_auth import InvalidTokenError

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Fetcher:
    """Answers with the JWKS of ``keys``; raises ``error`` instead when set. Counts calls."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.error: Exception | None = None
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        if self.error:
            raise self.error
        return {"keys": [key.public_jwk() for key in self.keys]}


def cache(fetch: Fetcher, clock: Clock) -> JwksCache:
    return JwksCache(fetch, cache_seconds=300, min_refetch_seconds=10, key_retention_seconds=960, clock=clock)


async def test_keys_are_fetched_once_and_cached(signing_key: SigningKey):
    fetch, clock = Fetcher(signing_key), Clock()
    jwks = cache(fetch, clock)
    for _ in range(5):
        assert (await jwks.key(signing_key.kid)).key_id == signing_key.kid
    assert fetch.calls == 1
    clock.now += 301
    await jwks.key(signing_key.kid)
    assert fetch.calls == 2


async def test_an_unknown_kid_refetches_once_then_is_rate_limited(signing_key: SigningKey):
    fetch, clock = Fetcher(signing_key), Clock()
    jwks = cache(fetch, clock)
    await jwks.key(signing_key.kid)
    # Given the login service rotated to a new key
    rotated = signing_key_from_pem(new_pem())
    fetch.keys.append(rotated)
    clock.now += 11
    # When a token with the new kid arrives, then one refetch finds it
    assert (await jwks.key(rotated.kid)).key_id == rotated.kid
    assert fetch.calls == 2
    # When forged kids follow right after, then they are refused without more fetches
    for n in range(5):
        with pytest.raises(InvalidTokenError):
            await jwks.key(f"forged-{n}")
    assert fetch.calls == 2


async def test_unreachable_jwks_with_no_keys_is_unavailable_not_unauthorized():
    fetch = Fetcher()
    fetch.error = httpx.ConnectError("refused")
    with pytest.raises(JwksUnavailableError) as caught:
        await cache(fetch, Clock()).key("any")
    assert caught.value.status_code == 503


async def test_keys_held_keep_serving_while_the_jwks_is_down(signing_key: SigningKey):
    fetch, clock = Fetcher(signing_key), Clock()
    jwks = cache(fetch, clock)
    await jwks.key(signing_key.kid)
    fetch.error = httpx.ReadTimeout("slow")
    clock.now += 301
    assert (await jwks.key(signing_key.kid)).key_id == signing_key.kid
    # and the failed refresh is retried after the refetch interval, not on every request
    calls = fetch.calls
    await jwks.key(signing_key.kid)
    assert fetch.calls == calls
    clock.now += 11
    await jwks.key(signing_key.kid)
    assert fetch.calls == calls + 1


def test_only_ed25519_signing_keys_are_taken_from_a_jwks(signing_key: SigningKey):
    rsa_like = {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"}
    encryption = {**signing_key.public_jwk(), "kid": "enc", "use": "enc"}
    broken = {"kty": "OKP", "crv": "Ed25519", "kid": "broken", "x": "!!"}
    keys = parse_jwks({"keys": [rsa_like, encryption, broken, signing_key.public_jwk(), "junk"]})
    assert list(keys) == [signing_key.kid]
    with pytest.raises(ValueError, match="not a JWKS"):
        parse_jwks(["not", "a", "jwks"])


async def test_a_rotated_out_key_verifies_until_its_retention_then_is_refused(signing_key: SigningKey):
    # Given an order service holding the gateway's key (retention 960 s after it was last listed)
    fetch, clock = Fetcher(signing_key), Clock()
    jwks = cache(fetch, clock)
    await jwks.key(signing_key.kid)
    # When the gateway rotates: the JWKS lists only the new key from now on
    rotated = signing_key_from_pem(new_pem())
    fetch.keys = [rotated]
    clock.now += 301  # the next scheduled refresh sees the new set
    assert (await jwks.key(rotated.kid)).key_id == rotated.kid
    # Then the old key keeps verifying after the refresh that dropped it, until 960 s after it was last seen
    clock.now += 658  # 959 s after the fetch that last listed it
    assert (await jwks.key(signing_key.kid)).key_id == signing_key.kid
    clock.now += 1
    with pytest.raises(InvalidTokenError, match="unknown key"):
        await jwks.key(signing_key.kid)
    # And the new key, listed by every refresh, stays
    assert (await jwks.key(rotated.kid)).key_id == rotated.kid


async def test_a_key_still_listed_is_renewed_by_every_fetch(signing_key: SigningKey):
    fetch, clock = Fetcher(signing_key), Clock()
    jwks = cache(fetch, clock)
    for _ in range(10):  # 3000 s: far past one retention, a refresh every 300 s
        assert (await jwks.key(signing_key.kid)).key_id == signing_key.kid
        clock.now += 300
    assert fetch.calls == 10


async def test_forged_kids_cause_at_most_one_fetch_per_refetch_interval(signing_key: SigningKey):
    # Given a warm cache
    fetch, clock = Fetcher(signing_key), Clock()
    jwks = cache(fetch, clock)
    await jwks.key(signing_key.kid)
    # When a forged kid arrives 20 times a second for 60 s
    for step in range(1200):
        clock.now = 1000.0 + step * 0.05
        with pytest.raises(InvalidTokenError):
            await jwks.key(f"forged-{step}")
    # Then the login service was asked once per 10 s (at 1010, 1020, ... 1050), not once per token
    assert fetch.calls == 1 + 5
