"""The call-center handler keeps to its time budget: slow stores cut short, retries only while they fit, and a warm
call reads only what is not cached."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from lambdas.call_center import repository
from lambdas.call_center.clock import FIXED_TIME_VARIABLE
from lambdas.call_center.context import FallbackContext
from lambdas.call_center.handler import handler
from tests.integration.call_center.conftest import IN_HOURS, KNOWN_PHONE, UNKNOWN_PHONE, clear_caches


def call(phone: str) -> dict[str, str]:
    contact = {"CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"}, "Attributes": {}}
    event = {"Name": "ContactFlowEvent", "Details": {"ContactData": contact, "Parameters": {}}}
    return handler(event, FallbackContext(function_name="tlj-local-call-center"))  # a fresh 5 s per call


def requests_of(client: Any) -> list[str]:
    """The operations ``client`` sends from now on (moto answers them; botocore still emits before-send)."""
    sent: list[str] = []
    client.meta.events.register(
        "before-send.dynamodb",
        lambda request, **_: sent.append(request.headers["X-Amz-Target"].decode().split(".")[-1]),
    )
    return sent


@pytest.fixture
def budget_ms(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_budget(ms: int) -> None:
        monkeypatch.setenv("BUDGET_MS", str(ms))
        monkeypatch.setenv("SAFETY_MS", "0")
        clear_caches()

    return set_budget


def test_given_a_hanging_orders_query_then_the_caller_is_answered_within_the_budget(
    seeded: Any, budget_ms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 400 ms budget and an Orders query that hangs for 3 s
    budget_ms(400)
    release = threading.Event()
    monkeypatch.setattr(repository.DynamoDirectory, "latest_order", lambda self, phone: release.wait(3))
    # When a caller rings
    started = time.monotonic()
    answer = call(KNOWN_PHONE)
    elapsed = time.monotonic() - started
    release.set()
    # Then the flow gets the failure answer once the budget is spent, not after the hang
    assert answer["error"] == "lookup_failed"
    assert 0.3 < elapsed < 1.0


def test_given_slow_recommendations_then_the_order_is_still_answered_in_time(
    seeded: Any, budget_ms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FIXED_TIME_VARIABLE, IN_HOURS.isoformat())  # the seeded order is recent then
    budget_ms(1500)
    call(KNOWN_PHONE)  # warm: the catalog and the shared statistics are cached
    release = threading.Event()
    monkeypatch.setattr(repository.SharedRecommendations, "names", lambda self, **_: release.wait(5))
    started = time.monotonic()
    answer = call(KNOWN_PHONE)
    elapsed = time.monotonic() - started
    release.set()
    assert (answer["customer_found"], answer["has_order"], "error" in answer) == ("true", "true", False)
    assert answer["recommendation_speech"]  # the spoken fallback
    assert elapsed < 2.0


def test_given_a_warm_function_then_a_call_reads_only_the_phone_index_and_the_history(seeded: Any) -> None:
    call(KNOWN_PHONE)  # cold: also the catalog and the shared statistics
    clients = repository.clients()
    retrying, single = requests_of(clients.retrying), requests_of(clients.single_attempt)
    # When the known caller (an order with a name) and an unknown caller ring again
    known = call(KNOWN_PHONE)
    known_requests = sorted(retrying + single)
    retrying.clear()
    single.clear()
    unknown = call(UNKNOWN_PHONE)
    # Then the known caller costs the Orders query and their own history; the unknown one both phone indexes
    assert (known["customer_found"], unknown["customer_found"]) == ("true", "false")
    assert known_requests == ["Query", "Query"]
    assert sorted(retrying + single) == ["Query", "Query"]


def test_given_a_budget_too_short_for_a_retry_then_every_call_has_a_single_attempt(seeded: Any, budget_ms: Any) -> None:
    budget_ms(2000)  # below the 2.7 s a failed attempt, the backoff and a second attempt can take
    clients = repository.clients()
    retrying, single = requests_of(clients.retrying), requests_of(clients.single_attempt)
    answer = call(KNOWN_PHONE)
    assert answer["customer_found"] == "true"
    assert retrying == []
    assert len(single) >= 2
