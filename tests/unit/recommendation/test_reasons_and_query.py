"""Reasons in Korean and English, and the API's query validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambdas.recommendation.logic import Reason
from lambdas.recommendation.models import MAX_BASKET_ITEMS, InvalidQuery, RecommendationQuery
from lambdas.recommendation.reasons import reason_text, spoken_summary, with_particle

NAMES = {"BRD-001": "소보로빵", "DRK-001": "아메리카노", "X-1": "X-1"}


@pytest.mark.parametrize(
    ("word", "particle"), [("소보로빵", "과"), ("아메리카노", "와"), ("크루아상", "과"), ("Coffee", "와(과)")]
)
def test_the_with_particle_follows_the_last_syllable(word: str, particle: str) -> None:
    assert with_particle(word) == particle


@pytest.mark.parametrize(
    ("reason", "ko", "en"),
    [
        (Reason("with", "BRD-001"), "소보로빵과 함께 자주 구매돼요", "Often bought with 소보로빵"),
        (Reason("with", "DRK-001"), "아메리카노와 함께 자주 구매돼요", "Often bought with 아메리카노"),
        (Reason("with", "X-1"), "X-1와(과) 함께 자주 구매돼요", "Often bought with X-1"),
        (Reason("daypart", "morning"), "아침에 인기 있어요", "Popular in the morning"),
        (Reason("daypart", "lunch"), "점심에 인기 있어요", "Popular at lunchtime"),
        (Reason("daytype", "weekend"), "주말에 인기 있어요", "Popular at weekends"),
        (Reason("history", "often"), "자주 주문하신 메뉴예요", "You order this often"),
        (Reason("history", "once"), "전에 주문하신 메뉴예요", "You ordered this before"),
        (Reason("popular"), "가장 많이 찾는 메뉴예요", "One of our best sellers"),
        (Reason("new"), "새로운 메뉴를 만나보세요", "Something new to try"),
    ],
)
def test_every_reason_reads_as_a_sentence_in_both_languages(reason: Reason, ko: str, en: str) -> None:
    assert reason_text(reason, "ko", name_of=NAMES) == ko
    assert reason_text(reason, "en", name_of=NAMES) == en


def test_a_spoken_summary_lists_the_names() -> None:
    assert spoken_summary(["크루아상", "아메리카노"], "ko") == "추천 메뉴는 크루아상, 아메리카노입니다."
    assert spoken_summary(["Croissant", "Americano", "Tea"], "en") == "We recommend Croissant, Americano and Tea."
    assert spoken_summary([], "ko") == ""


def test_defaults_are_five_items_for_an_anonymous_empty_basket_now() -> None:
    query = RecommendationQuery.parse({})
    assert (query.customer_id, query.items, query.k, query.at, query.lang) == (None, (), 5, None, None)


def test_items_are_split_trimmed_and_deduplicated_in_order() -> None:
    query = RecommendationQuery.parse({"items": " BRD-001, DRK-001,,BRD-001 ", "k": "3"})
    assert query.items == ("BRD-001", "DRK-001")
    assert query.k == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-03T08:15:00", datetime(2025, 3, 3, 8, 15)),
        ("2025-03-03T08:15:00+09:00", datetime.fromisoformat("2025-03-03T08:15:00+09:00")),
        ("2025-03-02T23:15:00Z", datetime(2025, 3, 2, 23, 15, tzinfo=UTC)),
    ],
)
def test_at_is_iso_8601_with_or_without_a_zone(text: str, expected: datetime) -> None:
    assert RecommendationQuery.parse({"at": text}).at == expected


@pytest.mark.parametrize(
    "params",
    [
        {"k": "0"},
        {"k": "21"},
        {"k": "five"},
        {"at": "yesterday"},
        {"lang": "fr"},
        {"items": ",".join(f"S{i}" for i in range(MAX_BASKET_ITEMS + 1))},
        {"items": "#ORDERS"},
        {"items": "A" * 65},
        {"customer_id": "a b"},
    ],
)
def test_bad_input_is_refused_naming_the_field(params: dict[str, str]) -> None:
    with pytest.raises(InvalidQuery) as refused:
        RecommendationQuery.parse(params)
    (error,) = refused.value.errors
    assert error.field == next(iter(params))
    assert error.message


def test_every_invalid_parameter_is_reported_at_once_with_what_it_must_be() -> None:
    with pytest.raises(InvalidQuery) as refused:
        RecommendationQuery.parse({"k": "0", "lang": "fr", "at": "soon", "customer_id": "ok-1"})
    messages = {e.field: e.message for e in refused.value.errors}
    assert messages == {
        "k": "must be between 1 and 20, got 0",
        "at": "must be an ISO 8601 time such as 2025-03-03T08:15:00+09:00, got 'soon'",
        "lang": "must be one of ko, en, got 'fr'",
    }


def test_blank_customer_and_time_mean_none() -> None:
    query = RecommendationQuery.parse({"customer_id": "", "at": " "})
    assert (query.customer_id, query.at) == (None, None)
