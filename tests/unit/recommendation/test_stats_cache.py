"""Shared statistics are cached for a few seconds per process; a customer's own counters never are."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.models import Basket, Change, Counts
from lambdas.recommendation.stats import contribution, is_shared
from lambdas.recommendation.stats_cache import CachedStatsStore


class CountingStore(MemoryStatsStore):
    """Counts reads, and returns copies as a remote store does (the in-memory one returns live views)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[list[str]] = []

    def read(self, partitions: Sequence[str]) -> Counts:
        self.reads.append(list(partitions))
        return copy.deepcopy(super().read(partitions))


def order(scope: str, sku: str) -> Change:
    basket = Basket(skus=frozenset({sku}), at=datetime(2025, 3, 3, 9), customer_id="c1")
    return Change(scope=scope, sign=1, deltas=contribution(basket))


def test_popularity_is_reused_within_the_ttl_and_customer_history_is_always_fresh() -> None:
    now = [0.0]
    inner = CountingStore()
    store = CachedStatsStore(inner, shared=is_shared, ttl_seconds=10, clock=lambda: now[0])
    store.apply(order("o1", "A"))
    assert store.read(["ITEM", "CUST#c1"])["ITEM"]["A"]["n"] == 1
    # Given a second order within the cache period
    store.apply(order("o2", "A"))
    now[0] = 9.0
    second = store.read(["ITEM", "CUST#c1"])
    # Then popularity is the cached one while the customer's history already has both orders
    assert second["ITEM"]["A"]["n"] == 1
    assert second["CUST#c1"]["#ORDERS"]["n"] == 2
    assert inner.reads == [["ITEM", "CUST#c1"], ["CUST#c1"]]
    # And after the period popularity is read again
    now[0] = 10.5
    assert store.read(["ITEM"])["ITEM"]["A"]["n"] == 2
