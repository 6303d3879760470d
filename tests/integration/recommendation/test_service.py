"""Recommendations read from DynamoDB: catalog names and availability, unknown skus, the catalog cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lambdas.recommendation.catalog import DynamoCatalog
from lambdas.recommendation.models import Basket, Change, RecommendationQuery
from lambdas.recommendation.service import default_recommender, recommend
from lambdas.recommendation.stats import contribution
from tests.integration.recommendation.conftest import table


def learn(*baskets: set[str], customer: str | None = None) -> None:
    store = default_recommender().store
    for number, skus in enumerate(baskets):
        basket = Basket(skus=frozenset(skus), at=datetime(2025, 3, 3, 8, 0), customer_id=customer)
        store.apply(Change(scope=f"t#{customer}#{number}", sign=1, deltas=contribution(basket)))


def test_sold_out_items_are_never_recommended_and_unknown_ones_are_named_by_sku(aws: Any) -> None:
    # Given 40 orders: 10 of Americano with croissant, the sold-out whole wheat loaf (BRD-011) and an off-menu
    # sku; 30 of salt bread alone
    learn(*[{"DRK-001", "PST-001", "BRD-011", "OLD-999"}] * 10, *[{"BRD-006"}] * 30)
    # When asked for Americano's companions
    items = recommend(RecommendationQuery(items=("DRK-001",), k=5, lang="ko"))
    names = {item.sku: item.name for item in items}
    # Then the croissant (Korean name) and the off-menu sku come first, with a similarity of
    # (10 + 5) / (10 * 10 / 40 + 5) = 2: 0.25 * 2 = 0.5 against salt bread's 0.75 * 5 / 12.5 = 0.3.
    # Never the sold-out BRD-011, never the basket item.
    assert list(names)[:2] == ["OLD-999", "PST-001"]
    assert names["PST-001"] == "크루아상"
    assert names["OLD-999"] == "OLD-999"
    assert "BRD-011" not in names
    assert "DRK-001" not in names
    assert items[0].reason == "아메리카노와 함께 자주 구매돼요"


def test_a_customer_history_comes_back_in_english(aws: Any) -> None:
    learn({"BRD-001"}, {"BRD-002"}, {"BRD-002"}, {"BRD-002"})
    learn({"CKE-003"}, {"CKE-003"}, customer="c9")
    items = recommend(RecommendationQuery(customer_id="c9", k=2, lang="en"))
    assert (items[0].sku, items[0].name, items[0].reason) == ("CKE-003", "Castella", "You order this often")


def test_the_catalog_is_read_once_per_cache_period(aws: Any) -> None:
    now = [0.0]
    catalog = DynamoCatalog(aws, table("catalog"), ttl_seconds=60, clock=lambda: now[0])
    assert catalog.items()["BRD-011"].available is False
    aws.update_item(
        TableName=table("catalog"),
        Key={"sku": {"S": "BRD-011"}},
        UpdateExpression="SET available = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    now[0] = 59.0
    assert catalog.items()["BRD-011"].available is False  # still cached
    now[0] = 61.0
    assert catalog.items()["BRD-011"].available is True
