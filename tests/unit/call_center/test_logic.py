"""The lookup's rules, with in-memory stores: who calls, their latest order, recommendations, the budget."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lambdas.call_center import speech
from lambdas.call_center.hours import WeeklyHours, every_day
from lambdas.call_center.logic import KEYS, Answer, CustomerSummary, OrderSummary, Policy, answer_call, failure
from tests.unit.call_center.fakes import FakeDirectory, FakeRecommendations

SEOUL = timezone(timedelta(hours=9))
NOW = datetime(2026, 5, 12, 10, 0, tzinfo=SEOUL)
HOURS = WeeklyHours.of(every_day("07:00", "22:00"), "Asia/Seoul")
PHONE = "+821012345678"
ORDER = OrderSummary(
    order_id="01JABCDEFGHJKMNPQRSTV7K2X9",
    status="READY",
    created_at="2026-05-12T00:30:00Z",
    customer_id="cust-1",
    customer_name="김지우",
)


def call(
    raw: object = PHONE,
    *,
    directory: FakeDirectory | None = None,
    recommendations: FakeRecommendations | None = None,
    remaining_ms: float = 3000,
    lang: str = "ko",
    now: datetime = NOW,
) -> Answer:
    return answer_call(
        raw,
        lang=lang,  # type: ignore[arg-type]
        now=now,
        hours=HOURS,
        directory=directory or FakeDirectory(),
        recommendations=recommendations or FakeRecommendations(),
        remaining_ms=lambda: remaining_ms,
        policy=Policy(),
    )


def assert_flat_strings(attributes: dict[str, str]) -> None:
    assert set(KEYS) <= set(attributes)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in attributes.items())


def test_given_a_caller_with_a_recent_order_then_status_and_number_are_spoken() -> None:
    answer = call(directory=FakeDirectory(orders={PHONE: ORDER}))
    a = answer.attributes
    assert_flat_strings(a)
    assert (a["customer_found"], a["caller_status"], a["has_order"]) == ("true", "known", "true")
    assert (a["customer_name"], a["order_id"], a["order_status"]) == ("김지우", ORDER.order_id, "READY")
    assert a["order_id_speech"] == "K 2 X 9"
    # The words are speech.py's (FLOWS may make them SSML); the logic passes the name, order and status in
    assert a["order_status_speech"] == speech.order_speech(
        name="김지우", order_id=ORDER.order_id, status="READY", lang="ko"
    )
    assert "김지우" in a["order_status_speech"]
    assert a["recommendation_speech"] == "추천 메뉴는 크루아상, 아메리카노입니다."
    assert (a["store_open"], a["lang"]) == ("true", "ko")
    assert answer.notes == ()


def test_given_the_caller_dials_in_national_format_then_the_e164_number_is_looked_up() -> None:
    directory = FakeDirectory(orders={PHONE: ORDER})
    call("010-1234-5678", directory=directory)
    assert directory.calls == [f"orders:{PHONE}"]  # the order names the customer: no second query


def test_given_an_order_older_than_the_recent_window_then_it_is_not_read_out() -> None:
    old = OrderSummary(**{**ORDER.__dict__, "created_at": "2026-01-01T00:00:00Z"})
    a = call(directory=FakeDirectory(orders={PHONE: old})).attributes
    assert (a["customer_found"], a["has_order"], a["order_id"], a["order_status_speech"]) == ("true", "false", "", "")


def test_given_an_order_without_a_name_then_the_name_comes_from_the_customers_index() -> None:
    unnamed = OrderSummary(**{**ORDER.__dict__, "customer_name": ""})
    directory = FakeDirectory(
        orders={PHONE: unnamed}, registered={PHONE: [CustomerSummary(customer_id="cust-1", name="김지우")]}
    )
    a = call(directory=directory).attributes
    assert a["customer_name"] == "김지우"
    assert directory.calls == [f"orders:{PHONE}", f"customers:{PHONE}"]


def test_given_a_registered_caller_without_orders_then_they_are_known_without_an_order() -> None:
    recommendations = FakeRecommendations()
    directory = FakeDirectory(registered={PHONE: [CustomerSummary(customer_id="cust-9", name="Jiwoo")]})
    a = call(directory=directory, recommendations=recommendations).attributes
    assert (a["customer_found"], a["customer_name"], a["has_order"]) == ("true", "Jiwoo", "false")
    assert recommendations.asked == ["cust-9"]  # personal recommendations


def test_given_a_number_shared_by_two_customers_then_no_name_is_spoken() -> None:
    shared = [CustomerSummary(customer_id="a", name="Ann"), CustomerSummary(customer_id="b", name="Bo")]
    answer = call(directory=FakeDirectory(registered={PHONE: shared}))
    assert (answer.attributes["customer_found"], answer.attributes["customer_name"]) == ("true", "")
    assert answer.notes == ("phone_shared_by_customers",)


def test_given_an_unknown_caller_then_general_recommendations_and_no_customer() -> None:
    recommendations = FakeRecommendations()
    a = call(recommendations=recommendations).attributes
    assert (a["customer_found"], a["caller_status"], a["has_order"]) == ("false", "unknown", "false")
    assert recommendations.asked == [None]


@pytest.mark.parametrize(("raw", "status"), [(None, "withheld"), ("anonymous", "withheld"), ("12ab", "malformed")])
def test_given_no_usable_number_then_nothing_is_looked_up(raw: object, status: str) -> None:
    directory = FakeDirectory(orders={PHONE: ORDER})
    a = call(raw, directory=directory).attributes
    assert (a["customer_found"], a["caller_status"]) == ("false", status)
    assert directory.calls == []
    assert_flat_strings(a)


def test_given_little_time_left_then_optional_lookups_are_skipped() -> None:
    unnamed = OrderSummary(**{**ORDER.__dict__, "customer_name": ""})
    recommendations = FakeRecommendations()
    directory = FakeDirectory(orders={PHONE: unnamed})
    answer = call(directory=directory, recommendations=recommendations, remaining_ms=200)
    assert answer.notes == ("customer_lookup_skipped", "recommendations_skipped")
    assert recommendations.asked == []
    assert directory.calls == [f"orders:{PHONE}"]
    assert answer.attributes["has_order"] == "true"  # the order is still read out
    assert answer.attributes["recommendation_speech"].startswith("오늘의 추천 메뉴는 매장 직원")


def test_given_optional_lookups_fail_then_the_order_is_still_answered() -> None:
    unnamed = OrderSummary(**{**ORDER.__dict__, "customer_name": ""})
    directory = FakeDirectory(orders={PHONE: unnamed}, customers_error=TimeoutError("slow"))
    answer = call(directory=directory, recommendations=FakeRecommendations(error=RuntimeError("down")))
    assert answer.notes == ("customer_lookup_failed", "recommendations_failed")
    assert (answer.attributes["has_order"], answer.attributes["customer_found"]) == ("true", "true")


def test_given_the_orders_lookup_fails_then_the_error_reaches_the_handler() -> None:
    with pytest.raises(TimeoutError):
        call(directory=FakeDirectory(orders_error=TimeoutError("slow")))


def test_given_english_and_closed_hours_then_the_answer_is_english() -> None:
    late = datetime(2026, 5, 12, 23, 0, tzinfo=SEOUL)
    a = call(directory=FakeDirectory(orders={PHONE: ORDER}), lang="en", now=late).attributes
    assert a["order_status_speech"] == speech.order_speech(
        name="김지우", order_id=ORDER.order_id, status="READY", lang="en"
    )
    assert (a["store_open"], a["lang"]) == ("false", "en")
    assert a["store_hours_speech"].endswith("We are closed right now.")


def test_given_a_failure_then_the_answer_is_an_unknown_caller_with_every_key() -> None:
    a = failure("lookup_failed", hours=HOURS, now=NOW, lang="ko")
    assert_flat_strings(a)
    assert (a["customer_found"], a["error"], a["store_open"]) == ("false", "lookup_failed", "true")
    without_hours = failure("invalid_event", hours=None, now=NOW, lang="en")
    assert_flat_strings(without_hours)
    assert (without_hours["customer_found"], without_hours["error"]) == ("false", "invalid_event")
