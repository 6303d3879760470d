"""Offline evaluation: the model against popularity, on order history, with the Lambda's own model code.

    python -m lambdas.recommendation.evaluate --transactions FILE.csv --k 5 [--seed 42]

Protocol: orders sorted by time; the first 80% train the statistics (in memory, through the same update code
as the indexer); from each later order with two or more distinct items one item (chosen with ``--seed``) is
held out and the rest, with the order's time, is the query. ``hit_rate``: the held-out item is in the top k;
``mrr``: the mean of 1/rank (0 when missed); ``tail_hit_rate``: the hit rate over held-out items that are not
among the 5 most popular training items. The baseline recommends the most popular training items not already
in the basket. Prints ``{"baskets", "cases", "model": {...}, "popularity": {...}}``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lambdas.recommendation.ingest import ingest
from lambdas.recommendation.logic import DEFAULT_PARAMS, ModelParams
from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.models import Basket
from lambdas.recommendation.service import rank_from_store
from lambdas.recommendation.stats import COUNT, ITEMS
from lambdas.recommendation.transactions import History, read_history

TRAIN_FRACTION = 0.8
HEAD = 5  # "tail" = held-out items outside the 5 most popular training items

Recommender = Callable[[Basket, int], list[str]]


class _Score:
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


def evaluate(history: History, *, k: int, seed: int = 42, params: ModelParams = DEFAULT_PARAMS) -> dict[str, Any]:
    cut = int(len(history.orders) * TRAIN_FRACTION)
    store = MemoryStatsStore()
    ingest(store, History(orders=history.orders[:cut], digest="train"))
    popularity = sorted(store.read([ITEMS])[ITEMS].items(), key=lambda item: (-item[1].get(COUNT, 0), item[0]))
    by_popularity = [sku for sku, counters in popularity if counters.get(COUNT, 0) > 0]
    head = set(by_popularity[:HEAD])

    def model(basket: Basket, k: int) -> list[str]:
        ranked = rank_from_store(
            store, basket=sorted(basket.skus), customer_id=None, at=basket.at, k=k, catalog={}, params=params
        )
        return [s.sku for s in ranked]

    def popular(basket: Basket, k: int) -> list[str]:
        return [sku for sku in by_popularity if sku not in basket.skus][:k]

    scores = {"model": _Score(), "popularity": _Score()}
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable choice, not security
    for _, basket in history.orders[cut:]:
        if len(basket.skus) < 2:
            continue
        held_out = rng.choice(sorted(basket.skus))
        query = Basket(skus=basket.skus - {held_out}, at=basket.at)
        for name, recommender in (("model", model), ("popularity", popular)):
            scores[name].add(recommender(query, k), held_out, held_out not in head)
    return {
        "baskets": len(history.orders),
        "cases": scores["model"].cases,
        "model": scores["model"].summary(),
        "popularity": scores["popularity"].summary(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=Path, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timezone", default="Asia/Seoul")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    result = evaluate(read_history(args.transactions, args.timezone), k=args.k, seed=args.seed)
    print(json.dumps(result))  # noqa: T201 - a CLI's output
    return 0


if __name__ == "__main__":
    sys.exit(main())
