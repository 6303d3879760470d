"""Offline evaluation: the model against popularity, on order history, with the Lambda's own model code.

    python -m lambdas.recommendation.evaluate --transactions FILE.csv --k 5 [--seed 42] [--menu local/menu.json]
        [--train-csv train.csv] [--cases-json cases.jsonl]

Protocol: orders sorted by time; the first 80% train the statistics (in memory, through the same update code
as the indexer); from each later order with two or more distinct items one item (chosen with ``--seed``) is
held out and the rest, with the order's time, is the query. ``hit_rate``: the held-out item is in the top k;
``mrr``: the mean of 1/rank (0 when missed); ``tail_hit_rate``: the hit rate over held-out items that are not
among the 5 most popular training items. The baseline recommends the most popular training items not already
in the basket. Prints ``{"baskets", "cases", "model": {...}, "popularity": {...}}``.

The model is ranked by ``service.rank_from_store``, the API's own path, so the API answers these cases alike
(``tests/integration/recommendation/test_api_matches_evaluate.py`` checks it through the handler on DynamoDB).
Without ``--menu`` every item counts as available; with a menu (a JSON list of ``{sku, name, available}``, e.g.
the seeded ``local/menu.json``) unavailable items are never recommended, by the model or the baseline, as the API
does with its catalog: score a file the API serves with the API's menu. ``--train-csv`` writes the training orders
(for ``ingest``) and ``--cases-json`` the held-out cases, so the API can be asked the very same questions.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lambdas.recommendation.ingest import ingest
from lambdas.recommendation.logic import DEFAULT_PARAMS, ModelParams
from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.models import Basket, CatalogItem
from lambdas.recommendation.service import rank_from_store
from lambdas.recommendation.stats import COUNT, ITEMS
from lambdas.recommendation.transactions import History, read_history

TRAIN_FRACTION = 0.8
HEAD = 5  # "tail" = held-out items outside the 5 most popular training items

Recommender = Callable[[Basket, int], list[str]]


class Score:
    """Hit rate, MRR and tail hit rate of one recommender over the held-out cases."""

    def __init__(self) -> None:
        self.cases = self.hits = self.tail_cases = self.tail_hits = 0
        self.reciprocal_ranks = 0.0

    def add(self, ranked: list[str], held_out: str, tail: bool) -> None:
        self.cases += 1
        self.tail_cases += tail
        if held_out in ranked:
            self.hits += 1
            self.tail_hits += tail
            self.reciprocal_ranks += 1.0 / (ranked.index(held_out) + 1)

    def summary(self) -> dict[str, float]:
        return {
            "hit_rate": round(self.hits / self.cases, 4) if self.cases else 0.0,
            "mrr": round(self.reciprocal_ranks / self.cases, 4) if self.cases else 0.0,
            "tail_hit_rate": round(self.tail_hits / self.tail_cases, 4) if self.tail_cases else 0.0,
        }


def evaluate(
    history: History,
    *,
    k: int,
    seed: int = 42,
    params: ModelParams = DEFAULT_PARAMS,
    catalog: Mapping[str, CatalogItem] | None = None,
) -> dict[str, Any]:
    menu = catalog or {}
    train, test = split(history)
    store = MemoryStatsStore()
    ingest(store, train)
    sold = best_sellers(store)
    head = set(sold[:HEAD])  # the tail is what sold less, whatever the menu says today
    by_popularity = [sku for sku in sold if _available(sku, menu)]

    def model(basket: Basket, k: int) -> list[str]:
        ranked = rank_from_store(
            store, basket=sorted(basket.skus), customer_id=None, at=basket.at, k=k, catalog=menu, params=params
        )
        return [s.sku for s in ranked]

    def popular(basket: Basket, k: int) -> list[str]:
        return [sku for sku in by_popularity if sku not in basket.skus][:k]

    scores = {"model": Score(), "popularity": Score()}
    for query, held_out in held_out_cases(test, seed):
        for name, recommender in (("model", model), ("popularity", popular)):
            scores[name].add(recommender(query, k), held_out, held_out not in head)
    return {
        "baskets": len(history.orders),
        "cases": scores["model"].cases,
        "model": scores["model"].summary(),
        "popularity": scores["popularity"].summary(),
    }


def split(history: History) -> tuple[History, History]:
    """The first ``TRAIN_FRACTION`` of the orders by time (training), and the rest (test)."""
    cut = int(len(history.orders) * TRAIN_FRACTION)
    return History(orders=history.orders[:cut], digest=f"{history.digest}-train"), History(orders=history.orders[cut:])


def held_out_cases(test: History, seed: int) -> list[tuple[Basket, str]]:
    """One (query, held-out sku) per test order with two or more items: the query is the rest, at the order's time."""
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable choice, not security
    cases = []
    for _, basket in test.orders:
        if len(basket.skus) < 2:
            continue
        held_out = rng.choice(sorted(basket.skus))
        cases.append((Basket(skus=basket.skus - {held_out}, at=basket.at), held_out))
    return cases


def best_sellers(store: MemoryStatsStore) -> list[str]:
    """The skus with sales, best first (ties by sku)."""
    items = store.read([ITEMS])[ITEMS]
    ranked = sorted(items.items(), key=lambda item: (-item[1].get(COUNT, 0), item[0]))
    return [sku for sku, counters in ranked if counters.get(COUNT, 0) > 0]


def write_orders(path: Path, history: History) -> None:
    """``history`` as the CSV that ``ingest`` reads: one row per item, the order's naive store-local time."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["order_id", "sku", "timestamp"])
        for order_id, basket in history.orders:
            writer.writerows([order_id, sku, basket.at.isoformat()] for sku in sorted(basket.skus))


def _available(sku: str, catalog: Mapping[str, CatalogItem]) -> bool:
    item = catalog.get(sku)
    return item is None or item.available


def read_menu(path: Path) -> dict[str, CatalogItem]:
    """A menu file (a JSON list of ``{sku, name, name_ko?, available?}``) as the catalog the API would read."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(row["sku"]): CatalogItem(
            sku=str(row["sku"]),
            name=str(row.get("name") or row["sku"]),
            name_ko=row.get("name_ko"),
            available=row.get("available", True) is not False,
        )
        for row in rows
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=Path, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timezone", default=os.environ.get("STORE_TIMEZONE", "Asia/Seoul"))  # as ingest's
    parser.add_argument("--train-csv", type=Path, help="also write the training orders (order_id,sku,timestamp)")
    parser.add_argument(
        "--cases-json", type=Path, help="also write the held-out cases (JSON lines: items, at, held_out)"
    )
    parser.add_argument("--menu", type=Path, help="JSON menu, e.g. local/menu.json: skip its unavailable items")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    catalog = read_menu(args.menu) if args.menu else None
    history = read_history(args.transactions, args.timezone)
    result = evaluate(history, k=args.k, seed=args.seed, catalog=catalog)
    train, test = split(history)
    if args.train_csv:
        write_orders(args.train_csv, train)
    if args.cases_json:
        lines = [
            json.dumps({"items": sorted(query.skus), "at": query.at.isoformat(), "held_out": held_out})
            for query, held_out in held_out_cases(test, args.seed)
        ]
        args.cases_json.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    print(json.dumps(result))  # noqa: T201 - a CLI's output
    return 0


if __name__ == "__main__":
    sys.exit(main())
