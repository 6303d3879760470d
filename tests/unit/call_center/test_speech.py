"""What the caller hears about an order: its status in words and the end of its number, one character at a time."""

from __future__ import annotations

import pytest

from lambdas.call_center import speech, ssml

ORDER_ID = "01JABCDEFGHJKMNPQRSTV7K2X9"


@pytest.mark.parametrize(
    ("status", "ko", "en"),
    [
        ("RECEIVED", "접수되었습니다", "has been received"),
        ("BAKING", "굽고 있습니다", "is in the oven"),
        ("READY", "찾아가실 수 있습니다", "is ready for pickup"),
        ("PICKED_UP", "찾아가셨습니다", "has been picked up"),
        ("CANCELLED", "취소되었습니다", "was cancelled"),
        ("LOST_IN_SPACE", "확인 중입니다", "is being processed"),
    ],
)
def test_given_a_status_then_each_language_says_it(status: str, ko: str, en: str) -> None:
    korean = heard(speech.order_speech(name="김지우", order_id=ORDER_ID, status=status, lang="ko"))
    english = heard(speech.order_speech(name="Jiwoo", order_id=ORDER_ID, status=status, lang="en"))
    assert korean.startswith("김지우 고객님, ")
    assert ko in korean
    assert "끝자리 K 2 X 9" in korean
    assert english.startswith("Hello Jiwoo. ")
    assert en in english
    assert "ending in K 2 X 9" in english


def heard(fragment: str) -> str:
    """What Polly says for an SSML fragment once the flow wraps it in <speak> (it must be well-formed)."""
    return ssml.spoken(f"<speak>{fragment}</speak>")


def test_given_no_name_then_the_greeting_has_none() -> None:
    assert heard(speech.order_speech(name="", order_id=ORDER_ID, status="READY", lang="ko")).startswith("고객님, ")
    assert heard(speech.order_speech(name="", order_id=ORDER_ID, status="READY", lang="en")).startswith("Hello. ")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_given_an_order_then_its_number_is_read_as_characters_after_a_pause(lang: speech.Lang) -> None:
    fragment = speech.order_speech(name="Jiwoo", order_id=ORDER_ID, status="READY", lang=lang)
    assert '<say-as interpret-as="characters">K2X9</say-as>' in fragment
    assert '<break time="300ms"/>' in fragment


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_given_a_name_with_markup_then_the_speech_stays_well_formed_and_says_the_name(lang: speech.Lang) -> None:
    fragment = speech.order_speech(name="Kim & <Lee>", order_id=ORDER_ID, status="READY", lang=lang)
    assert "Kim &amp; &lt;Lee&gt;" in fragment
    assert "Kim & <Lee>" in heard(fragment)


def test_given_an_item_with_an_ampersand_then_the_recommendation_is_xml_safe() -> None:
    fragment = speech.recommendation_speech(["Ham & Cheese"], "en")
    assert fragment == "We recommend Ham &amp; Cheese."
    assert heard(fragment) == "We recommend Ham & Cheese."


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("김지우", "김지우"),
        ("  Ji\twoo\n Kim ", "Ji woo Kim"),
        ("a\x00b", "ab"),
        (None, ""),
        (7, ""),
        ("x" * 99, "x" * 40),
    ],
)
def test_given_a_stored_name_then_only_a_short_printable_name_is_read_out(raw: object, clean: str) -> None:
    assert speech.clean_name(raw) == clean


def test_given_no_recommendations_then_a_fallback_sentence_is_said() -> None:
    assert speech.recommendation_speech([], "ko") == speech.no_recommendation("ko")
    assert speech.recommendation_speech(["크루아상", "아메리카노"], "ko") == "추천 메뉴는 크루아상, 아메리카노입니다."
    assert speech.recommendation_speech(["Croissant"], "en") == "We recommend Croissant."


@pytest.mark.parametrize(("value", "lang"), [("ko", "ko"), ("en", "en"), ("fr", "ko"), (None, "ko"), (["en"], "ko")])
def test_given_a_language_parameter_then_unknown_ones_fall_back(value: object, lang: str) -> None:
    assert speech.language(value) == lang
