"""What the public Bakery exports need, and what keeps the API's ranking equal to ``evaluate``'s."""

from __future__ import annotations

import json
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

from lambdas.recommendation import service
from lambdas.recommendation.evaluate import main
from lambdas.recommendation.logic import Reason, rank
from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.models import Basket, CatalogItem, Change, RecommendationQuery
from lambdas.recommendation.stats import Stats, contribution
from lambdas.recommendation.transactions import parse_rows, read_history

SATURDAY_9AM = datetime(2025, 3, 8, 9, 0)


def test_placeholder_items_of_the_older_bakery_export_are_skipped() -> None:
    # Given the older export's rows (Date, Time, Transaction, Item), one of them the placeholder NONE
    rows = [
        {"Date": "2016-10-30", "Time": "10:27:21", "Transaction": "11", "Item": "Bread"},
        {"Date": "2016-10-30", "Time": "10:27:21", "Transaction": "11", "Item": "NONE"},
        {"Date": "2016-10-30", "Time": "10:27:21", "Transaction": "11", "Item": "Medialuna"},
        {"Date": "2016-10-30", "Time": "10:34:36", "Transaction": "15", "Item": "none"},
    ]
    # When read
    history = parse_rows(rows, "Europe/London")
    # Then NONE is no item: order 11 has two, order 15 had nothing and is no order, two rows skipped
    assert [(order_id, sorted(b.skus)) for order_id, b in history.orders] == [("11", ["Bread", "Medialuna"])]
    assert (history.rows, history.skipped_rows) == (4, 2)


def test_the_day_type_counts_at_half_weight_and_the_reason_says_what_weighed_most() -> None:
    # Given 200 orders, half of them in the morning and half at weekends; A sold 18 of its 20 at weekends (but as
    # much in the morning as in the evening), B 16 of its 20 in the morning (as much at weekends as on weekdays)
    stats = Stats(
        totals={"n": 200, "morning": 100, "evening": 100, "weekday": 100, "weekend": 100},
        items={
            "A": {"n": 20, "morning": 10, "evening": 10, "weekday": 2, "weekend": 18},
            "B": {"n": 20, "morning": 16, "evening": 4, "weekday": 10, "weekend": 10},
        },
    )
    # When ranked on a Saturday morning
    top = rank(stats, basket=[], at=SATURDAY_9AM, k=2, available=lambda _: True)
    # Then A's weekend ratio (18+3)/(100+30)/0.1 = 1.615 counts as its square root, 1.271, and B's morning ratio
    # (16+3)/(100+30)/0.1 = 1.462 in full: B first, "popular in the morning"; A "popular at weekends"
    assert [s.sku for s in top] == ["B", "A"]
    assert top[0].reason == Reason("daypart", "morning")
    assert top[1].reason == Reason("daytype", "weekend")


class Menu:
    def items(self) -> dict[str, CatalogItem]:
        return {}


def test_the_basket_is_a_set_whatever_order_the_caller_lists_it_in() -> None:
    # Given a shop of 14 items S00..S13 where each is bought with the next one
    store = MemoryStatsStore()
    skus = [f"S{number:02d}" for number in range(14)]
    for number, (first, second) in enumerate(pairwise(skus)):
        basket = Basket(skus=frozenset({first, second}), at=datetime(2025, 3, 3, 8, number))
        store.apply(Change(scope=str(number), sign=1, deltas=contribution(basket)))
    recommender = service.Recommender(store=store, catalog=Menu())
    at = datetime(2025, 3, 3, 9, 0)
    # When a basket of the first 12 (more than the MAX_PAIR_READS whose co-purchases are read) is asked for in
    # ascending and in descending order
    up = service.recommend(RecommendationQuery(items=tuple(skus[:12]), k=2, at=at), recommender)
    down = service.recommend(RecommendationQuery(items=tuple(reversed(skus[:12])), k=2, at=at), recommender)
    # Then both read the same co-purchases and answer the same, each item with its reason
    assert up == down
    assert [item.sku for item in up] == ["S12", "S13"]
    assert all(item.reason for item in up)


def test_scores_keep_the_long_tail_apart() -> None:
    # Given 100000 orders: A in 99000 of them, and three rare items sold 3, 2 and 1 times
    counts = {"A": 99_000, "T1": 3, "T2": 2, "T3": 1}
    deltas = {("TOTAL", "#ORDERS"): {"n": 100_000}, **{("ITEM", sku): {"n": n} for sku, n in counts.items()}}
    store = MemoryStatsStore()
    store.apply(Change(scope="history", sign=1, deltas=deltas))
    # When all four are asked for
    items = service.recommend(
        RecommendationQuery(k=4, at=datetime(2025, 3, 3, 9, 0)), service.Recommender(store=store, catalog=Menu())
    )
    # Then the rare ones keep distinct scores (shares of 1e-5 to 3e-5), so that ordering by score is the model's order
    assert [item.sku for item in items] == ["A", "T1", "T2", "T3"]
    assert [item.score for item in items[1:]] == [0.00003, 0.00002, 0.00001]


def test_evaluate_with_a_menu_never_counts_a_sold_out_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given 20 orders of A with B, and a menu where B is sold out
    rows = ["order_id,sku,timestamp"]
    for number in range(20):
        rows += [f"{number},A,2025-03-03T08:{number:02d}:00", f"{number},B,2025-03-03T08:{number:02d}:00"]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "menu.json").write_text(json.dumps([{"sku": "B", "name": "B", "available": False}]), encoding="utf-8")
    # When evaluated without and with the menu
    main(["--transactions", str(tmp_path / "t.csv"), "--k", "1"])
    free = json.loads(capsys.readouterr().out)
    main(["--transactions", str(tmp_path / "t.csv"), "--k", "1", "--menu", str(tmp_path / "menu.json")])
    menu = json.loads(capsys.readouterr().out)
    # Then without it every held-out item is found; with it the held-out B never is (as through the API)
    assert free["model"]["hit_rate"] == 1.0
    assert 0.0 < menu["model"]["hit_rate"] < 1.0
    assert menu["popularity"]["hit_rate"] < free["popularity"]["hit_rate"]


def test_evaluate_writes_its_training_orders_and_cases_for_asking_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 10 orders of two or three items, written as the older Bakery export writes them
    rows = ["Date,Time,Transaction,Item"]
    for number in range(10):
        rows += [
            f"2016-11-0{1 + number % 7},09:{number:02d}:00,{number},{sku}"
            for sku in ("Bread", "Coffee", "Jam")[: 2 + number % 2]
        ]
    (tmp_path / "bakery.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # When evaluated with --train-csv and --cases-json
    main(
        [
            "--transactions",
            str(tmp_path / "bakery.csv"),
            "--train-csv",
            str(tmp_path / "train.csv"),
            "--cases-json",
            str(tmp_path / "cases.jsonl"),
        ]
    )
    result = json.loads(capsys.readouterr().out)
    # Then the training file holds the first 8 orders by time, readable by ingest, and one case per test order
    train = read_history(tmp_path / "train.csv", "Asia/Seoul")
    everything = read_history(tmp_path / "bakery.csv", "Asia/Seoul")
    assert [(o, b.skus, b.at) for o, b in train.orders] == [(o, b.skus, b.at) for o, b in everything.orders[:8]]
    cases = [json.loads(line) for line in (tmp_path / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(cases) == result["cases"] == 2
    for case in cases:
        assert case["held_out"] not in case["items"]
        assert datetime.fromisoformat(case["at"]).tzinfo is None  # store-local, as the API reads a naive time
