"""The caller's number as Connect gives it (``CustomerEndpoint.Address``), normalised to E.164 with ``phonenumbers``.

Withheld numbers arrive as words ("anonymous", "Restricted") or as the pseudo-numbers carriers use for them;
they are recognised as withheld rather than looked up. Anything else that is not a valid number is malformed.

``phonenumbers`` is imported on first use: its package import (every module, ~40 ms) stays out of the module
import; inside Lambda ``repository.warm_up`` makes that first use at init, never in a caller's budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_INPUT_CHARS = 64
WITHHELD_WORDS = frozenset({"", "anonymous", "restricted", "private", "unavailable", "unknown", "withheld", "blocked"})
# Pseudo-numbers that spell RESTRICTED, ANONYMOUS, BLOCKED, UNAVAIL on a keypad, sent by some carriers.
WITHHELD_NUMBERS = frozenset({"+7378742833", "+266696687", "+2562533", "+8656696"})

CallerKind = Literal["number", "withheld", "malformed"]


@dataclass(frozen=True, kw_only=True)
class Caller:
    kind: CallerKind
    e164: str = ""


def normalise(raw: object, region: str) -> Caller:
    """``raw`` as an E.164 number (``region`` applies to national formats such as 010-1234-5678)."""
    if raw is None:
        return Caller(kind="withheld")
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_CHARS:
        return Caller(kind="malformed")
    import phonenumbers  # on first use: see the module docstring

    text = raw.strip()
    if text.lower().lstrip("+") in WITHHELD_WORDS or text in WITHHELD_NUMBERS:
        return Caller(kind="withheld")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Caller(kind="malformed")
    if not phonenumbers.is_valid_number(number):
        return Caller(kind="malformed")
    return Caller(kind="number", e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
