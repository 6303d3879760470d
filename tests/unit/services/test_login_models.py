from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from login_service.models import LoginRequest, SignupRequest, normalize_email
from login_service.phones import to_e164

VALID = {"email": "Kim@Example.com", "password": "correct horse", "name": " Kim Minji ", "phone": "010-1234-5678"}


@pytest.mark.parametrize(
    "raw", ["010-1234-5678", "01012345678", "+82 10-1234-5678", "+821012345678", "(010) 1234 5678"]
)
def test_korean_mobile_numbers_become_e164(raw: str):
    assert to_e164(raw) == "+821012345678"


def test_foreign_numbers_with_a_country_code_are_kept():
    assert to_e164("+1 650-253-0000") == "+16502530000"


@pytest.mark.parametrize("raw", ["", "hello", "123", "010-1234", "+82 10-1234-56789999", "\x00"])
def test_invalid_numbers_are_refused(raw: str):
    with pytest.raises(ValueError, match="phone number"):
        to_e164(raw)


def test_a_valid_signup_is_normalised():
    body = SignupRequest.model_validate(VALID)
    assert body.phone == "+821012345678"
    assert body.name == "Kim Minji"
    assert normalize_email(str(body.email)) == "kim@example.com"


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "not-an-email"},
        {"email": "a@b"},
        {"password": "short7!"},
        {"password": "x" * 129},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 81},
        {"phone": "12"},
        {"phone": "x" * 40},
        {"role": "staff"},
        {"password": "\ud800" * 8},
    ],
    ids=[
        "bad-email",
        "no-tld",
        "password-7",
        "password-129",
        "name-empty",
        "name-blank",
        "name-81",
        "phone-invalid",
        "phone-long",
        "role-not-accepted",
        "password-surrogates",
    ],
)
def test_invalid_signups_are_refused(overrides: dict[str, Any]):
    with pytest.raises(ValidationError):
        SignupRequest.model_validate({**VALID, **overrides})


def test_password_bounds_are_8_and_128_characters():
    assert SignupRequest.model_validate({**VALID, "password": "x" * 8})
    assert SignupRequest.model_validate({**VALID, "password": "x" * 128})


def test_login_refuses_extra_fields_and_overlong_passwords():
    with pytest.raises(ValidationError):
        LoginRequest.model_validate({"email": "a@b.co", "password": "p", "remember": True})
    with pytest.raises(ValidationError):
        LoginRequest.model_validate({"email": "a@b.co", "password": "x" * 129})
