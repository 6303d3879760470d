"""The signing key secret's format (bare PEM or current + previous), the rotation steps, and the live key ring."""

from __future__ import annotations

import asyncio
import json

import jwt
import pytest

from login_service.customers_repository import Customer
from login_service.key_rotation import main, promote, retire, stage
from login_service.keys import KeyRing, key_ring_from_secret, new_pem, signing_key_from_pem
from login_service.signing_keys import SigningKeys, kept_fresh
from login_service.tokens import TokenIssuer

CUSTOMER = Customer(
    customer_id="c-1",
    email="a@b.co",
    password_hash="h",
    name="Kim",
    phone="+821012345678",
    role="customer",
    created_at="",
)


def kids(ring: KeyRing) -> list[str]:
    return [key.kid for key in ring.keys]


def test_a_bare_pem_is_the_current_key_alone():
    # Given the format the first deploy documents (openssl genpkey output)
    pem = new_pem()
    # When it is read, then it signs and is the only key published
    ring = key_ring_from_secret(b"\n" + pem + b"\n")
    assert ring.current.kid == signing_key_from_pem(pem).kid
    assert ring.previous is None
    assert [jwk["kid"] for jwk in ring.public_jwks()["keys"]] == [ring.current.kid]


def test_json_holds_the_current_and_the_previous_key_and_publishes_both():
    current, previous = new_pem(), new_pem()
    ring = key_ring_from_secret(json.dumps({"current": current.decode(), "previous": previous.decode()}).encode())
    assert kids(ring) == [signing_key_from_pem(current).kid, signing_key_from_pem(previous).kid]
    assert [jwk["kid"] for jwk in ring.public_jwks()["keys"]] == kids(ring)
    assert all("d" not in jwk for jwk in ring.public_jwks()["keys"])
    assert ring.by_kid(ring.keys[1].kid) is ring.previous
    assert ring.by_kid("forged") is None


def test_a_null_or_repeated_previous_key_publishes_the_current_key_once():
    pem = new_pem().decode()
    assert key_ring_from_secret(json.dumps({"current": pem, "previous": None}).encode()).previous is None
    assert key_ring_from_secret(json.dumps({"current": pem, "previous": pem}).encode()).previous is None


@pytest.mark.parametrize(
    "value",
    [
        b'{"previous": null}',
        b'{"current": 42}',
        b'{"current": "not a pem"}',
        b"{not json",
        b"not a pem",
        json.dumps({"current": new_pem().decode(), "previous": ["x"]}).encode(),
    ],
)
def test_a_malformed_secret_is_refused(value: bytes):
    with pytest.raises(ValueError, match="unreadable signing key secret") as refused:
        key_ring_from_secret(value)
    assert "PRIVATE KEY" not in str(refused.value)  # the error never quotes key material


def test_stage_publishes_a_new_key_then_promote_signs_with_it_and_keeps_the_old_one_published():
    # Given a secret holding one key (the bare PEM of the first deploy)
    old, new = new_pem(), new_pem()
    old_kid, new_kid = signing_key_from_pem(old).kid, signing_key_from_pem(new).kid
    # When the new key is staged, then the old key still signs and the new one is published
    staged = stage(old, new)
    assert kids(key_ring_from_secret(staged.encode())) == [old_kid, new_kid]
    # When it is promoted, then the new key signs and the old one stays published for the tokens it signed
    promoted = promote(staged.encode())
    assert kids(key_ring_from_secret(promoted.encode())) == [new_kid, old_kid]
    # When the old key is retired, then only the new one remains
    assert kids(key_ring_from_secret(retire(promoted.encode()).encode())) == [new_kid]
    # And staging without a PEM makes a fresh key
    assert len(set(kids(key_ring_from_secret(stage(old).encode())))) == 2


def test_promote_without_a_staged_key_is_refused(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(ValueError, match="stage"):
        promote(new_pem())
    # and the CLI says so on stderr with exit status 1, printing no secret
    monkeypatch.setattr("sys.stdin", _Stdin(new_pem()))
    assert main(["promote"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "stage a new key first" in err


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = _Buffer(data)


class _Buffer:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self) -> bytes:
        return self._data


def test_the_live_ring_signs_with_the_current_key_after_a_reload_and_keeps_its_keys_when_a_reload_fails():
    # Given a gateway whose secret holds key A
    source = {"value": new_pem()}
    keys = SigningKeys(lambda: key_ring_from_secret(source["value"]))
    issuer = TokenIssuer(key=keys, issuer="tlj-login", audience="tlj-api", ttl_seconds=900)
    kid_a = keys.ring.current.kid
    assert jwt.get_unverified_header(issuer.issue(CUSTOMER))["kid"] == kid_a
    # When the secret is rotated to B (A previous) and re-read, then new tokens carry B's kid
    source["value"] = promote(stage(source["value"]).encode()).encode()
    assert keys.reload() is True
    kid_b = keys.ring.current.kid
    assert kid_b != kid_a
    assert jwt.get_unverified_header(issuer.issue(CUSTOMER))["kid"] == kid_b
    assert kids(keys.ring) == [kid_b, kid_a]
    # When the secret becomes unreadable, then the keys held stay in use
    source["value"] = b"garbage"
    assert keys.reload() is False
    assert kids(keys.ring) == [kid_b, kid_a]
    # And a re-read of an unchanged secret reports no change
    source["value"] = retire(promote(stage(new_pem()).encode()).encode()).encode()
    assert keys.reload() is True
    assert keys.reload() is False


@pytest.mark.anyio
async def test_the_gateway_re_reads_its_keys_periodically_while_running():
    # Given a live ring re-read every 50 ms
    source = {"value": new_pem()}
    keys = SigningKeys(lambda: key_ring_from_secret(source["value"]))
    first = keys.ring.current.kid
    async with kept_fresh(keys, every_seconds=0.05):
        # When the secret changes, then the ring follows within a few periods, without a restart
        source["value"] = promote(stage(source["value"]).encode()).encode()
        for _ in range(100):
            if keys.ring.current.kid != first:
                break
            await asyncio.sleep(0.01)
    assert keys.ring.current.kid != first
    assert kids(keys.ring)[1] == first
