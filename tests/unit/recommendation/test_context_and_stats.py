"""Time context (Asia/Seoul day parts) and what one order adds to the statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lambdas.recommendation import context
from lambdas.recommendation.context import daypart, daytype, local_time
from lambdas.recommendation.models import Basket
from lambdas.recommendation.stats import MAX_PAIR_READS, Stats, contribution, is_shared, merge, partitions_to_read


@pytest.mark.parametrize(
    ("hour", "part"),
    [(5, "night"), (6, "morning"), (10, "morning"), (11, "lunch"), (13, "lunch"), (14, "afternoon"),
     (16, "afternoon"), (17, "evening"), (21, "evening"), (22, "night"), (0, "night")],
)  # fmt: skip
def test_day_parts_follow_store_hours(hour: int, part: str) -> None:
    assert daypart(datetime(2025, 3, 3, hour, 30)) == part


def test_saturday_and_sunday_are_the_weekend() -> None:
    assert [daytype(datetime(2025, 3, d)) for d in range(3, 10)] == ["weekday"] * 5 + ["weekend"] * 2


def test_an_aware_time_is_converted_to_seoul_and_a_naive_one_is_already_local() -> None:
    # 23:30 UTC on Friday is 08:30 on Saturday in Seoul: a weekend morning
    utc = datetime(2025, 3, 7, 23, 30, tzinfo=UTC)
    assert local_time(utc, "Asia/Seoul") == datetime(2025, 3, 8, 8, 30)
    assert local_time(datetime(2025, 3, 7, 23, 30), "Asia/Seoul") == datetime(2025, 3, 7, 23, 30)
    plus_two = datetime(2025, 3, 7, 23, 30, tzinfo=timezone(timedelta(hours=2)))
    assert local_time(plus_two, "Asia/Seoul") == datetime(2025, 3, 8, 6, 30)


def test_now_is_the_default_time() -> None:
    before = datetime.now(UTC).astimezone(context.store_zone("Asia/Seoul")).replace(tzinfo=None)
    assert abs((local_time(None, "Asia/Seoul") - before).total_seconds()) < 5


def test_seoul_works_without_a_tz_database(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a runtime whose zoneinfo has no data (slim Lambda images)
    def missing(name: str) -> None:
        raise context.ZoneInfoNotFoundError(name)

    context.store_zone.cache_clear()
    monkeypatch.setattr(context, "ZoneInfo", missing)
    try:
        # Then Seoul (no daylight saving time) still converts, with its fixed +09:00
        assert local_time(datetime(2025, 1, 1, 0, 0, tzinfo=UTC), "Asia/Seoul") == datetime(2025, 1, 1, 9, 0)
    finally:
        context.store_zone.cache_clear()


def test_an_order_counts_its_items_context_pairs_and_customer() -> None:
    # Given a Monday-morning order of A and B by customer c1
    basket = Basket(skus=frozenset({"A", "B"}), at=datetime(2025, 3, 3, 8, 0), customer_id="c1")
    # When its contribution is computed
    deltas = contribution(basket)
    # Then each item and the total count once in general, in the morning and on a weekday; the pair counts both
    # ways; the customer's history gets the items and one order
    context_counts = {"n": 1, "morning": 1, "weekday": 1}
    assert deltas == {
        ("TOTAL", "#ORDERS"): context_counts,
        ("ITEM", "A"): context_counts,
        ("ITEM", "B"): context_counts,
        ("PAIR#A", "B"): {"n": 1},
        ("PAIR#B", "A"): {"n": 1},
        ("CUST#c1", "#ORDERS"): {"n": 1},
        ("CUST#c1", "A"): {"n": 1},
        ("CUST#c1", "B"): {"n": 1},
    }


def test_contributions_merge_and_cancel_out() -> None:
    basket = Basket(skus=frozenset({"A"}), at=datetime(2025, 3, 3, 8, 0))
    total = merge(merge({}, contribution(basket)), contribution(basket))
    assert total[("ITEM", "A")] == {"n": 2, "morning": 2, "weekday": 2}
    assert merge(total, total, sign=-1)[("ITEM", "A")] == {"n": 0, "morning": 0, "weekday": 0}


def test_a_request_reads_a_handful_of_partitions_at_most() -> None:
    basket = [f"S{i:02d}" for i in range(50)]
    partitions = partitions_to_read(basket, "c1")
    assert partitions[:2] == ["ITEM", "TOTAL"]
    assert len(partitions) == 2 + MAX_PAIR_READS + 1
    assert partitions[-1] == "CUST#c1"
    assert partitions_to_read([], None) == ["ITEM", "TOTAL"]


def test_reading_drops_counters_at_zero() -> None:
    counts = {
        "ITEM": {"A": {"n": 2}, "B": {"n": 0}},
        "TOTAL": {"#ORDERS": {"n": 2}},
        "PAIR#A": {"B": {"n": 0}, "C": {"n": 1}},
        "CUST#c1": {"#ORDERS": {"n": 1}, "A": {"n": 1}, "B": {"n": 0}},
    }
    stats = Stats.from_counts(counts, ["A"], "c1")
    assert stats == Stats(
        totals={"n": 2}, items={"A": {"n": 2}}, pairs={"A": {"C": 1}}, customer={"A": 1}, customer_orders=1
    )


def test_only_a_customers_own_history_is_private_to_them() -> None:
    assert [is_shared(p) for p in ("ITEM", "TOTAL", "PAIR#A", "CUST#c1", "APPLIED#x")] == [
        True,
        True,
        True,
        False,
        False,
    ]
