"""The ranking, on statistics small enough to check by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from lambdas.recommendation.logic import Reason, rank
from lambdas.recommendation.stats import Stats

MONDAY_9AM = datetime(2025, 3, 3, 9, 0)  # a weekday morning, store-local
MONDAY_7PM = datetime(2025, 3, 3, 19, 0)


def counts(n: int, **context: int) -> dict[str, int]:
    return {"n": n, **context}


def always(_: str) -> bool:
    return True


def test_cold_start_with_no_statistics_fills_from_the_menu_in_sku_order() -> None:
    # Given no order yet, and a menu of four items of which one is sold out
    menu = ["C", "A", "D", "B"]
    # When three are asked for
    top = rank(Stats(), basket=[], at=MONDAY_9AM, k=3, available=lambda sku: sku != "B", known=menu)
    # Then the available menu items come, by sku, marked as new
    assert [(s.sku, s.score, s.reason) for s in top] == [
        ("A", 0.0, Reason("new")),
        ("C", 0.0, Reason("new")),
        ("D", 0.0, Reason("new")),
    ]


def test_without_basket_or_time_signal_the_order_is_popularity_and_scores_are_shares() -> None:
    # Given 100 orders: A in 50, B in 30, C in 20 (no day-part counters, so the time of day says nothing)
    stats = Stats(totals=counts(100), items={"A": counts(50), "B": counts(30), "C": counts(20)})
    # When ranked
    top = rank(stats, basket=[], at=MONDAY_9AM, k=3, available=always)
    # Then by popularity, with scores normalised over the candidates: 50/100, 30/100, 20/100
    assert [s.sku for s in top] == ["A", "B", "C"]
    assert [round(s.score, 3) for s in top] == [0.5, 0.3, 0.2]
    assert all(s.reason == Reason("popular") for s in top)


def test_an_item_always_bought_with_the_basket_beats_a_more_popular_independent_one() -> None:
    # Given 1000 orders: A in 100, B in 100 (always with A), C in 300 (with A in 30: as often as chance predicts)
    stats = Stats(
        totals=counts(1000),
        items={"A": counts(100), "B": counts(100), "C": counts(300)},
        pairs={"A": {"B": 100, "C": 30}},
    )
    # When the basket holds A
    top = rank(stats, basket=["A"], at=MONDAY_9AM, k=2, available=always)
    # Then B's similarity to A, (100 + 5) / (100*100/1000 + 5) = 7, lifts it to 0.1 * 7 = 0.7 against C's
    # 0.3 * (30 + 5) / (30 + 5) = 0.3: B first (0.7 / 1.0 after normalising), "often bought with A"
    assert [s.sku for s in top] == ["B", "C"]
    assert round(top[0].score, 3) == 0.7
    assert top[0].reason == Reason("with", "A")
    assert top[1].reason == Reason("popular")


def test_a_single_co_purchase_is_no_evidence() -> None:
    # Given 10 orders: A in 1, B in 5, C in 4, and the one order with A also had C
    stats = Stats(totals=counts(10), items={"A": counts(1), "B": counts(5), "C": counts(4)}, pairs={"A": {"C": 1}})
    # When the basket holds A
    top = rank(stats, basket=["A"], at=MONDAY_9AM, k=2, available=always)
    # Then C's similarity is (1 + 5) / (0.4 + 5) = 1.11, below the popular B: 0.5 against 0.4 * 1.11 = 0.44
    assert [s.sku for s in top] == ["B", "C"]


def test_the_time_of_day_decides_between_equally_popular_items() -> None:
    # Given 200 orders, 100 in the morning and 100 in the evening (all weekdays); croissant sells 40 in the
    # morning and 10 in the evening, cake the other way round
    stats = Stats(
        totals=counts(200, morning=100, evening=100, weekday=200),
        items={
            "CROISSANT": counts(50, morning=40, evening=10, weekday=50),
            "CAKE": counts(50, morning=10, evening=40, weekday=50),
        },
    )
    # When asked in the morning and in the evening
    morning = rank(stats, basket=[], at=MONDAY_9AM, k=2, available=always)
    evening = rank(stats, basket=[], at=MONDAY_7PM, k=2, available=always)
    # Then the croissant leads in the morning "because it is popular in the morning", the cake in the evening
    assert [s.sku for s in morning] == ["CROISSANT", "CAKE"]
    assert morning[0].reason == Reason("daypart", "morning")
    assert [s.sku for s in evening] == ["CAKE", "CROISSANT"]
    assert evening[0].reason == Reason("daypart", "evening")


def test_a_regular_gets_their_usual_before_the_best_seller() -> None:
    # Given 100 orders (A in 60, B in 10) and a customer whose 3 orders all had B
    stats = Stats(
        totals=counts(100),
        items={"A": counts(60), "B": counts(10)},
        customer={"B": 3},
        customer_orders=3,
    )
    # When ranked for that customer
    top = rank(stats, basket=[], at=MONDAY_9AM, k=2, available=always)
    # Then own share 3/3 weighs 3/(3+2) = 0.6: B = 0.6 + 0.4 * 10/70 = 0.657 before A = 0.4 * 60/70 = 0.343
    assert [s.sku for s in top] == ["B", "A"]
    assert [round(s.score, 3) for s in top] == [0.657, 0.343]
    assert top[0].reason == Reason("history", "often")


def test_one_earlier_order_is_said_as_ordered_before() -> None:
    # Given 10 orders (A in 6, B in 4) and a customer whose only order had B
    stats = Stats(totals=counts(10), items={"A": counts(6), "B": counts(4)}, customer={"B": 1}, customer_orders=1)
    # When ranked for them
    top = rank(stats, basket=[], at=MONDAY_9AM, k=1, available=always)
    # Then B = 1/3 * 1 + 2/3 * 0.4 = 0.6 beats A = 2/3 * 0.6 = 0.4, "ordered before" (not yet "often")
    assert (top[0].sku, round(top[0].score, 3)) == ("B", 0.6)
    assert top[0].reason == Reason("history", "once")


@pytest.mark.parametrize("k", [1, 2, 3])
def test_never_the_basket_never_unavailable_never_more_than_k(k: int) -> None:
    # Given five items, the most popular one in the basket and the second one sold out
    stats = Stats(
        totals=counts(100),
        items={sku: counts(n) for sku, n in {"A": 50, "B": 40, "C": 30, "D": 20, "E": 10}.items()},
        pairs={"A": {}},
    )
    # When ranked with k
    top = rank(stats, basket=["A"], at=MONDAY_9AM, k=k, available=lambda sku: sku != "B")
    # Then neither A nor B appears, and there are exactly k items (enough candidates remain)
    assert [s.sku for s in top] == ["C", "D", "E"][:k]


def test_ties_are_broken_by_sku_so_answers_are_repeatable() -> None:
    stats = Stats(totals=counts(10), items={"B": counts(5), "A": counts(5)})
    assert [s.sku for s in rank(stats, basket=[], at=MONDAY_9AM, k=2, available=always)] == ["A", "B"]


def test_basket_items_never_ordered_before_carry_no_evidence() -> None:
    # Given a basket item with no statistics at all (new on the menu)
    stats = Stats(totals=counts(10), items={"A": counts(6), "B": counts(4)}, pairs={"NEW": {}})
    # When ranked with it in the basket
    top = rank(stats, basket=["NEW"], at=MONDAY_9AM, k=2, available=always)
    # Then it changes nothing
    assert [(s.sku, round(s.score, 2)) for s in top] == [("A", 0.6), ("B", 0.4)]
