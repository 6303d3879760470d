"""The statistics store on DynamoDB: atomic counters, each change applied exactly once, withdrawals too.

The same scenarios run against the in-memory store that ``evaluate`` uses, so both keep one contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.models import Basket, Change
from lambdas.recommendation.repository import CHUNK, DynamoStatsStore, StatsStore
from lambdas.recommendation.stats import contribution
from tests.integration.recommendation.conftest import table

MORNING = datetime(2025, 3, 3, 8, 0)


def change(scope: str, skus: set[str], sign: int = 1, customer: str | None = "c1") -> Change:
    basket = Basket(skus=frozenset(skus), at=MORNING, customer_id=customer)
    return Change(scope=scope, sign=1 if sign > 0 else -1, deltas=contribution(basket))


@pytest.fixture(params=["dynamodb", "memory"])
def store(request: pytest.FixtureRequest, aws: Any) -> StatsStore:
    return DynamoStatsStore(aws, table("recommendations")) if request.param == "dynamodb" else MemoryStatsStore()


def item_counts(store: StatsStore) -> dict[str, int]:
    return {sku: counters["n"] for sku, counters in store.read(["ITEM"])["ITEM"].items()}


def test_a_change_adds_its_counters(store: StatsStore) -> None:
    assert store.apply(change("order#c1#1", {"A", "B"})) is True
    counts = store.read(["ITEM", "TOTAL", "PAIR#A", "CUST#c1"])
    assert counts["ITEM"]["A"] == {"n": 1, "morning": 1, "weekday": 1}
    assert counts["TOTAL"]["#ORDERS"]["n"] == 1
    assert counts["PAIR#A"] == {"B": {"n": 1}}
    assert counts["CUST#c1"] == {"#ORDERS": {"n": 1}, "A": {"n": 1}, "B": {"n": 1}}


def test_a_replayed_change_counts_once(store: StatsStore) -> None:
    assert store.apply(change("order#c1#1", {"A", "B"})) is True
    assert store.apply(change("order#c1#1", {"A", "B"})) is False
    assert item_counts(store) == {"A": 1, "B": 1}


def test_a_withdrawal_subtracts_once_and_only_what_was_added(store: StatsStore) -> None:
    store.apply(change("order#c1#1", {"A", "B"}))
    store.apply(change("order#c1#2", {"A"}))
    assert store.apply(change("order#c1#1", {"A", "B"}, sign=-1)) is True
    assert store.apply(change("order#c1#1", {"A", "B"}, sign=-1)) is False  # a replayed cancellation
    assert item_counts(store) == {"A": 1, "B": 0}
    assert store.read(["PAIR#A"])["PAIR#A"] == {"B": {"n": 0}}


def test_a_withdrawal_before_its_add_keeps_the_late_add_out(store: StatsStore) -> None:
    # Given a cancellation that arrives first (its insert was delayed or is replayed later)
    assert store.apply(change("order#c1#1", {"A"}, sign=-1)) is False
    # When the insert arrives
    assert store.apply(change("order#c1#1", {"A"})) is False
    # Then the cancelled order never counted
    assert item_counts(store) == {}


def test_a_large_basket_spans_several_transactions_and_still_counts_once(store: StatsStore) -> None:
    # Given a 12-item basket: 12 items + 132 pairs + 13 customer counters + 1 total = 158 updates > 99
    skus = {f"S{i:02d}" for i in range(12)}
    big = change("order#c1#big", skus)
    assert len(big.deltas) > CHUNK
    assert store.apply(big) is True
    assert store.apply(big) is False
    assert set(item_counts(store).values()) == {1}
    assert len(store.read(["PAIR#S00"])["PAIR#S00"]) == 11


def test_a_crash_between_transactions_is_finished_by_the_retry_without_double_counting(aws: Any) -> None:
    # Given a store whose second transaction fails once (the Lambda times out between two chunks)
    store = DynamoStatsStore(aws, table("recommendations"))
    real = store._transact
    calls = {"n": 0}

    def flaky(actions: list[dict[str, Any]]) -> bool:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "TransactWriteItems")
        return real(actions)

    store._transact = flaky  # type: ignore[method-assign]
    big = change("order#c1#big", {f"S{i:02d}" for i in range(12)})
    with pytest.raises(ClientError):
        store.apply(big)
    # When the record is retried
    store.apply(big)
    # Then every counter is exactly one
    counts = store.read(["ITEM", "PAIR#S00", "CUST#c1"])
    assert {c["n"] for c in counts["ITEM"].values()} == {1}
    assert {c["n"] for c in counts["PAIR#S00"].values()} == {1}
    assert counts["CUST#c1"]["#ORDERS"]["n"] == 1


def test_both_stores_agree_on_a_sequence_of_changes(aws: Any) -> None:
    dynamo, memory = DynamoStatsStore(aws, table("recommendations")), MemoryStatsStore()
    sequence = [
        change("o1", {"A", "B"}),
        change("o2", {"B", "C"}, customer="c2"),
        change("o1", {"A", "B"}),
        change("o2", {"B", "C"}, sign=-1, customer="c2"),
        change("o3", {"C"}, sign=-1),
        change("o3", {"C"}),
        change("o4", {"A", "C"}),
    ]
    assert [dynamo.apply(c) for c in sequence] == [memory.apply(c) for c in sequence]
    partitions = ["ITEM", "TOTAL", "PAIR#A", "PAIR#B", "PAIR#C", "CUST#c1", "CUST#c2"]
    assert dynamo.read(partitions) == {p: dict(v) for p, v in memory.read(partitions).items()}
