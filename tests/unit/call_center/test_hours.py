"""Store hours: open from opening (inclusive) to closing (exclusive), in the store's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lambdas.call_center import speech
from lambdas.call_center.hours import WeeklyHours, every_day
from lambdas.call_center.settings import DEFAULT_HOURS
from stacks.config import DEV, PROD

SEOUL = timezone(timedelta(hours=9))
HOURS = WeeklyHours.of(every_day("07:00", "22:00"), "Asia/Seoul")


@pytest.mark.parametrize(
    ("local", "open_"),
    [("06:59", False), ("07:00", True), ("12:30", True), ("21:59", True), ("22:00", False), ("23:30", False)],
)
def test_given_a_seoul_time_then_open_follows_the_hours(local: str, open_: bool) -> None:
    hour, minute = map(int, local.split(":"))
    assert HOURS.is_open(datetime(2026, 5, 12, hour, minute, tzinfo=SEOUL)) is open_


def test_given_a_utc_time_then_it_is_converted_to_seoul_first() -> None:
    assert HOURS.is_open(datetime(2026, 5, 12, 0, 30, tzinfo=UTC)) is True  # 09:30 in Seoul
    assert HOURS.is_open(datetime(2026, 5, 12, 14, 0, tzinfo=UTC)) is False  # 23:00 in Seoul


def test_given_a_closed_day_then_the_store_is_closed_all_day_and_the_speech_says_so() -> None:
    weekdays = WeeklyHours.of([t for t in every_day("07:00", "22:00") if t[0] != "SUNDAY"], "Asia/Seoul")
    sunday_noon = datetime(2026, 5, 17, 12, 0, tzinfo=SEOUL)
    assert weekdays.is_open(sunday_noon) is False
    assert "일요일은 휴무" in speech.hours_speech(weekdays, "ko")
    assert "closed on Sunday" in speech.hours_speech(weekdays, "en")


@pytest.mark.parametrize(
    "hours",
    [[("FUNDAY", "07:00", "22:00")], [("MONDAY", "22:00", "07:00")], [("MONDAY", "7", "22:00")]],
)
def test_given_invalid_hours_then_they_are_rejected(hours: list[tuple[str, str, str]]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        WeeklyHours.of(hours, "Asia/Seoul")


def test_given_the_config_then_the_lambda_default_hours_are_the_same_store_hours() -> None:
    assert DEFAULT_HOURS == DEV.call_center.hours == PROD.call_center.hours
    assert HOURS.to_json() == WeeklyHours.from_json(HOURS.to_json(), "Asia/Seoul").to_json()


def test_given_every_day_hours_then_both_languages_read_them_out() -> None:
    assert speech.hours_speech(HOURS, "ko", open_now=True) == (
        "영업시간은 매일 오전 7시부터 오후 10시까지입니다. 지금은 영업 중입니다."
    )
    assert speech.hours_speech(HOURS, "en", open_now=False) == (
        "Our opening hours are every day from 7 AM to 10 PM. We are closed right now."
    )
