"""Phone numbers in E.164, Korean numbers by default (``010-1234-5678`` -> ``+821012345678``)."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "KR"


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
