"""Token verification (service_kit.jwt_auth): only well-formed EdDSA tokens from the right issuer pass."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from login_service.keys import SigningKey, new_pem, signing_key_from_pem
from service_kit.jwt_auth import InvalidTokenError, bearer_token, unverified_kid, verify_token

ISS, AUD = "tlj-login", "tlj-api"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "c-1", "iss": ISS, "aud": AUD, "iat": now, "nbf": now, "exp": now + 600, "role": "customer"}
    base.update({"name": "Kim", "phone": "+821012345678"})
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def sign(key: SigningKey, payload: dict[str, Any]) -> str:
    return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


def verify(token: str, key: SigningKey):
    return verify_token(token, key.public_key, issuer=ISS, audience=AUD)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_token_gives_the_caller(signing_key: SigningKey):
    principal = verify(sign(signing_key, claims(role="staff")), signing_key)
    assert (principal.subject, principal.role, principal.name, principal.phone) == (
        "c-1",
        "staff",
        "Kim",
        "+821012345678",
    )
    assert principal.is_staff


def test_alg_none_is_refused(signing_key: SigningKey):
    token = f"{b64({'alg': 'none', 'kid': signing_key.kid})}.{b64(claims())}."
    with pytest.raises(InvalidTokenError):
        unverified_kid(token)
    with pytest.raises(InvalidTokenError):
        verify(token, signing_key)


def test_hs256_signed_with_the_public_key_is_refused(signing_key: SigningKey):
    public_pem = signing_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64({"alg": "HS256", "typ": "JWT", "kid": signing_key.kid})
    body = b64(claims())
    signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    token = f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(InvalidTokenError):
        unverified_kid(token)
    with pytest.raises(InvalidTokenError):
        verify(token, signing_key)


def test_a_token_from_another_key_is_refused(signing_key: SigningKey):
    other = signing_key_from_pem(new_pem())
    with pytest.raises(InvalidTokenError):
        verify(sign(other, claims()), signing_key)


def test_a_tampered_token_is_refused(signing_key: SigningKey):
    header, _, signature = sign(signing_key, claims()).split(".")
    with pytest.raises(InvalidTokenError):
        verify(f"{header}.{b64(claims(role='staff'))}.{signature}", signing_key)


@dataclass(frozen=True)
class FromNow:
    """A time claim this many seconds from the moment the test runs."""

    seconds: int


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": FromNow(-60)},
        {"nbf": FromNow(600)},
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"sub": None},
        {"exp": None},
        {"sub": ""},
        {"role": "admin"},
        {"name": 5},
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "no-sub",
        "no-exp",
        "empty-sub",
        "bad-role",
        "bad-name",
    ],
)
def test_tokens_with_bad_claims_are_refused(signing_key: SigningKey, overrides: dict[str, Any]):
    now = int(time.time())  # when the test runs, not when it was collected (a long suite runs it minutes later)
    resolved = {name: now + value.seconds if isinstance(value, FromNow) else value for name, value in overrides.items()}
    with pytest.raises(InvalidTokenError) as caught:
        verify(sign(signing_key, claims(**resolved)), signing_key)
    assert caught.value.status_code == 401
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}


def test_the_key_id_is_read_from_the_header(signing_key: SigningKey):
    assert unverified_kid(sign(signing_key, claims())) == signing_key.kid
    with pytest.raises(InvalidTokenError, match="no key id"):
        unverified_kid(jwt.encode(claims(), signing_key.private_key, algorithm="EdDSA"))
    with pytest.raises(InvalidTokenError, match="malformed"):
        unverified_kid("garbage")


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer   "])
def test_an_authorization_header_without_a_bearer_token_is_refused(header: str | None):
    with pytest.raises(InvalidTokenError):
        bearer_token(header)


def test_the_bearer_scheme_is_case_insensitive():
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"
