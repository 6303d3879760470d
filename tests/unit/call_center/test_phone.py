"""Caller numbers: E.164 from what Connect gives; withheld and malformed numbers are told apart."""

from __future__ import annotations

import pytest

from lambdas.call_center.phone import normalise


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+821012345678", "+821012345678"),
        ("010-1234-5678", "+821012345678"),  # national format, region KR
        (" +82 10 1234 5678 ", "+821012345678"),
        ("+14155552671", "+14155552671"),
    ],
)
def test_given_a_valid_number_then_it_is_normalised_to_e164(raw: str, e164: str) -> None:
    caller = normalise(raw, "KR")
    assert caller.kind == "number"
    assert caller.e164 == e164


@pytest.mark.parametrize(
    "raw", [None, "", "anonymous", "Anonymous", "+anonymous", "Restricted", "private", "UNAVAILABLE", "+266696687"]
)
def test_given_a_withheld_number_then_it_is_recognised_as_withheld(raw: str | None) -> None:
    assert normalise(raw, "KR").kind == "withheld"


@pytest.mark.parametrize("raw", ["12", "+82", "abc", "+8210123456789012345", "0" * 80, 42, ["+821012345678"]])
def test_given_a_malformed_number_then_it_is_malformed_not_an_error(raw: object) -> None:
    caller = normalise(raw, "KR")
    assert caller.kind == "malformed"
    assert caller.e164 == ""
