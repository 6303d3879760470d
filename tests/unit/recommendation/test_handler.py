"""The API handler: API Gateway proxy events in, JSON out; bad input is 422, a store outage 503, never a 500."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas.recommendation import service
from lambdas.recommendation.handler import handler
from lambdas.recommendation.models import Basket, Change
from lambdas.recommendation.stats import contribution
from local.reco_api import LambdaContext, proxy_event


def call(target: str) -> tuple[int, dict[str, Any]]:
    response = handler(proxy_event("GET", target, {"accept": "application/json"}, b"", "127.0.0.1"), LambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_an_empty_shop_recommends_the_available_menu_as_new(memory_recommender: service.Recommender) -> None:
    status, body = call("/recommendations?customer_id=c1&k=5")
    assert status == 200
    assert body == {
        "items": [
            {"sku": "BRD-001", "name": "소보로빵", "score": 0.0, "reason": "새로운 메뉴를 만나보세요"},
            {"sku": "DRK-001", "name": "아메리카노", "score": 0.0, "reason": "새로운 메뉴를 만나보세요"},
        ]
    }


def test_learned_orders_answer_in_english_with_catalog_names_and_unknown_skus_named_by_sku(
    memory_recommender: service.Recommender,
) -> None:
    # Given two morning orders: Soboro Bread with Americano, and Soboro Bread with an sku not on the menu
    for skus in ({"BRD-001", "DRK-001"}, {"BRD-001", "SEASONAL-9"}):
        basket = Basket(skus=frozenset(skus), at=datetime(2025, 3, 3, 8))
        memory_recommender.store.apply(Change(scope=str(sorted(skus)), sign=1, deltas=contribution(basket)))
    # When asked with Soboro Bread in the basket, in English
    status, body = call("/recommendations?items=BRD-001&lang=en&at=2025-03-03T08:30:00%2B09:00")
    # Then both others come, the unknown sku named by itself; the basket item is never recommended
    assert status == 200
    assert {item["sku"]: item["name"] for item in body["items"]} == {"DRK-001": "Americano", "SEASONAL-9": "SEASONAL-9"}
    assert all(item["reason"].isascii() for item in body["items"])


@pytest.mark.parametrize(
    "target",
    ["/recommendations?k=0", "/recommendations?k=100", "/recommendations?at=soon", "/recommendations?lang=de"],
)
def test_bad_input_is_422_json(memory_recommender: service.Recommender, target: str) -> None:
    status, body = call(target)
    assert status == 422
    assert body["message"] == "invalid query"
    (error,) = body["errors"]
    assert error["field"] == target.split("?")[1].split("=")[0]
    assert error["message"].startswith("must be")


def test_an_unknown_path_is_404(memory_recommender: service.Recommender) -> None:
    status, _ = call("/nothing-here")
    assert status == 404


def test_a_store_outage_is_503_json(monkeypatch: pytest.MonkeyPatch, memory_recommender: service.Recommender) -> None:
    def unavailable(_: Any) -> None:
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "Query")

    monkeypatch.setattr(memory_recommender.store, "read", unavailable)
    status, body = call("/recommendations")
    assert (status, body) == (503, {"message": "recommendations unavailable"})
