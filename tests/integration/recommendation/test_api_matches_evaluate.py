"""The API scores what ``evaluate`` reports: the same training orders in DynamoDB (moto), the same held-out cases
asked through the API handler as API Gateway would deliver them, the same hit rate, MRR and tail hit rate."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from lambdas.recommendation.datagen import BasketGenerator, load_data, profile, write_csv
from lambdas.recommendation.evaluate import HEAD, Score, best_sellers, evaluate, held_out_cases, read_menu, split
from lambdas.recommendation.handler import handler
from lambdas.recommendation.ingest import ingest
from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.repository import DynamoStatsStore
from lambdas.recommendation.stats import MAX_PAIR_READS
from lambdas.recommendation.transactions import History, parse_rows
from lambdas.shared import dynamodb
from local.reco_api import LambdaContext, proxy_event
from tests.integration.recommendation.conftest import table

MENU = Path(__file__).parents[3] / "local" / "menu.json"  # the catalog the `aws` fixture seeds
SKUS = sorted(str(item["sku"]) for item in json.loads(MENU.read_text(encoding="utf-8")))


def generated_history(orders: int, seed: int) -> History:
    """A generated shop selling the seeded menu (so fewer pairs to load into moto), as ``evaluate`` reads a file."""
    data = load_data()
    skus = {str(item["sku"]) for item in json.loads(MENU.read_text(encoding="utf-8"))}
    generator = BasketGenerator(data, profile(data, "default"), seed=seed, skus=skus)
    out = io.StringIO()
    write_csv(out, generator.orders(orders, start=date(2025, 3, 3), days=60))
    return parse_rows(csv.DictReader(out.getvalue().splitlines()), "Asia/Seoul")


class DynamoCalls:
    """The names of the DynamoDB operations a client makes, from botocore's ``before-call`` event."""

    def __init__(self, client: Any) -> None:
        self.names: list[str] = []
        # before-call.<service>.<operation>, per call: docs.aws.amazon.com/botocore/latest/topics/events.html
        client.meta.events.register("before-call.dynamodb", self._called)

    def _called(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)


def sold_out(client: Any, sku: str) -> None:
    client.update_item(
        TableName=table("catalog"),
        Key={"sku": {"S": sku}},
        UpdateExpression="SET available = :no",
        ExpressionAttributeValues={":no": {"BOOL": False}},
    )


def ask(items: list[str], at: str) -> list[str]:
    query = urlencode({"items": ",".join(items), "at": at, "k": "5", "lang": "en"})
    response = handler(proxy_event("GET", f"/recommendations?{query}", {}, b"", "127.0.0.1"), LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    return [item["sku"] for item in json.loads(response["body"])["items"]]


def test_the_api_scores_what_evaluate_reports(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a generated shop's history (the seeded menu's skus), its first 80% ingested into the Recommendations
    # table through ingest, its best seller sold out in the catalog, and evaluate's report with that same menu
    monkeypatch.setenv("STATS_CACHE_SECONDS", "3600")  # the shared statistics read once: moto's queries are slow
    history = generated_history(1000, seed=3)
    train, test = split(history)
    ingest(DynamoStatsStore(aws, table("recommendations")), train)
    memory = MemoryStatsStore()
    ingest(memory, train)
    sold = best_sellers(memory)
    head = set(sold[:HEAD])
    sold_out(aws, sold[0])
    menu = read_menu(MENU)
    menu[sold[0]] = replace(menu[sold[0]], available=False)
    expected = evaluate(history, k=5, catalog=menu)
    assert expected["model"] != evaluate(history, k=5)["model"]  # the menu matters to these figures
    # When every held-out case is asked through the API handler: items in reverse order, the time with the
    # store's offset (Asia/Seoul), as a caller would send them
    score = Score()
    for query, held_out in held_out_cases(test, seed=42):
        score.add(
            ask(sorted(query.skus, reverse=True), query.at.isoformat() + "+09:00"), held_out, held_out not in head
        )
    # Then the API's hit rate, MRR and tail hit rate are evaluate's (and better than popularity's)
    got = score.summary()
    assert expected["cases"] == score.cases > 100
    for metric in ("hit_rate", "mrr", "tail_hit_rate"):
        assert got[metric] == pytest.approx(expected["model"][metric], abs=0.01), metric
    assert got["hit_rate"] > expected["popularity"]["hit_rate"]


@pytest.mark.parametrize("orders", [50, 400])
def test_a_request_reads_the_same_partitions_whatever_the_history(
    aws: Any, monkeypatch: pytest.MonkeyPatch, orders: int
) -> None:
    # Given a short or a four times longer history, and no statistics cache (every request reads)
    monkeypatch.setenv("STATS_CACHE_SECONDS", "0")
    ingest(DynamoStatsStore(aws, table("recommendations")), generated_history(orders, seed=5))
    calls = DynamoCalls(dynamodb.client())
    ask(["DRK-001"], "2025-03-04T08:00:00+09:00")  # the first request also scans the catalog (cached for a minute)
    # When baskets of 1, 3 and 12 items are asked
    reads = {}
    for size in (1, 3, 12):
        before = len(calls.names)
        ask(SKUS[:size], "2025-03-04T08:00:00+09:00")
        reads[size] = calls.names[before:]
    # Then each request is one Query for ITEM, one for TOTAL and one per basket item up to MAX_PAIR_READS:
    # nothing grows with the history, and a basket never costs more than 2 + MAX_PAIR_READS
    assert {size: len(names) for size, names in reads.items()} == {1: 3, 3: 5, 12: 2 + MAX_PAIR_READS}
    assert {name for names in reads.values() for name in names} == {"Query"}
