"""The simulator's fixed time reaches the handler only outside the Lambda runtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lambdas.call_center import clock


def test_given_a_fixed_time_outside_lambda_then_it_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.LAMBDA_RUNTIME_VARIABLE, raising=False)
    monkeypatch.setenv(clock.FIXED_TIME_VARIABLE, "2026-05-12T10:00:00+09:00")
    assert clock.now() == datetime(2026, 5, 12, 1, 0, tzinfo=UTC)


def test_given_a_fixed_time_inside_lambda_then_the_real_clock_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.LAMBDA_RUNTIME_VARIABLE, "tlj-prod-call-center")
    monkeypatch.setenv(clock.FIXED_TIME_VARIABLE, "2001-01-01T00:00:00+00:00")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_given_an_unreadable_fixed_time_then_the_real_clock_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.LAMBDA_RUNTIME_VARIABLE, raising=False)
    monkeypatch.setenv(clock.FIXED_TIME_VARIABLE, "yesterday")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
