"""How the simulator measures a Lambda answer as Connect does: the size of its serialized JSON, and throttling."""

from __future__ import annotations

from datetime import UTC, datetime

from lambdas.call_center.invoker import MAX_RESPONSE_BYTES, HandlerInvoker, response_bytes


def test_given_an_answer_then_its_size_is_the_compact_utf8_json() -> None:
    assert response_bytes({"a": "가"}) == len('{"a":"가"}'.encode())  # 3 bytes for the Hangul syllable
    assert response_bytes({"a": "x" * MAX_RESPONSE_BYTES}) > MAX_RESPONSE_BYTES


def test_given_throttling_then_the_first_attempts_come_back_throttled_without_calling_the_handler() -> None:
    invoker = HandlerInvoker(
        at=datetime(2026, 5, 12, tzinfo=UTC), function_timeout_seconds=5, fault="error", throttles=2
    )
    outcomes = [invoker(arn="arn:fn", event={}, limit_seconds=8).outcome for _ in range(3)]
    assert outcomes == ["throttled", "throttled", "error"]
