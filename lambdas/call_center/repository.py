"""All AWS access of the call center: Orders and Customers by phone, and the recommender's tables.

Connect waits at most 8 s for the Lambda, so every DynamoDB call fails fast: 1 s to connect, 1.5 s to read, two
attempts in all (botocore's standard retry mode). The recommender is the recommendation package's own code,
given this client so that it obeys the same limits.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from lambdas.call_center.logic import CustomerSummary, OrderSummary
from lambdas.call_center.settings import CallCenterSettings
from lambdas.call_center.speech import Lang
from lambdas.recommendation.models import RecommendationQuery
from lambdas.recommendation.repository import DynamoCatalog, DynamoStatsStore
from lambdas.recommendation.service import Recommender, recommend
from lambdas.shared.dynamodb import from_item
from lambdas.shared.settings import load

CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=1.5, retries={"total_max_attempts": 2, "mode": "standard"})


@cache
def client() -> Any:
    """The process-wide DynamoDB client with the call center's timeouts (``AWS_ENDPOINT_URL`` is honoured)."""
    return boto3.session.Session().client("dynamodb", config=CLIENT_CONFIG)


class DynamoDirectory:
    """Orders and Customers through their ``by-phone`` indexes."""

    def __init__(self, dynamodb: Any, *, orders_table: str, customers_table: str, index: str = "by-phone") -> None:
        self._client = dynamodb
        self._orders = orders_table
        self._customers = customers_table
        self._index = index

    def latest_order(self, phone: str) -> OrderSummary | None:
        # Idempotency records share the Orders table but carry no phone, so they are never in this index.
        response = self._client.query(
            TableName=self._orders,
            IndexName=self._index,
            KeyConditionExpression="phone = :phone",
            ExpressionAttributeValues={":phone": {"S": phone}},
            ProjectionExpression="order_id, #status, created_at, customer_id, customer_name",
            ExpressionAttributeNames={"#status": "status"},
            ScanIndexForward=False,
            Limit=1,
        )
        items = response.get("Items", [])
        if not items:
            return None
        item = from_item(items[0])
        return OrderSummary(
            order_id=str(item.get("order_id", "")),
            status=str(item.get("status", "")),
            created_at=str(item.get("created_at", "")),
            customer_id=str(item.get("customer_id", "")),
            customer_name=str(item.get("customer_name") or ""),
        )

    def customers(self, phone: str, limit: int) -> list[CustomerSummary]:
        response = self._client.query(
            TableName=self._customers,
            IndexName=self._index,
            KeyConditionExpression="phone = :phone",
            ExpressionAttributeValues={":phone": {"S": phone}},
            ProjectionExpression="customer_id, #name",
            ExpressionAttributeNames={"#name": "name"},
            Limit=limit,
        )
        found = [from_item(raw) for raw in response.get("Items", [])]
        return [CustomerSummary(customer_id=str(c["customer_id"]), name=str(c.get("name") or "")) for c in found]


class SharedRecommendations:
    """The recommendation package's ``recommend`` over the Recommendations and Catalog tables."""

    def __init__(self, dynamodb: Any, settings: CallCenterSettings) -> None:
        self._recommender = Recommender(
            store=DynamoStatsStore(dynamodb, settings.recommendations_table),
            catalog=DynamoCatalog(dynamodb, settings.catalog_table, ttl_seconds=settings.catalog_cache_seconds),
            zone=settings.store_timezone,
            default_lang=settings.default_lang,
        )

    def names(self, *, customer_id: str | None, lang: Lang, at: datetime, k: int) -> list[str]:
        query = RecommendationQuery(customer_id=customer_id, k=k, at=at, lang=lang)
        return [item.name for item in recommend(query, self._recommender)]


@cache
def stores() -> tuple[DynamoDirectory, SharedRecommendations]:
    """The stores named in the settings, built once per process (tests call ``stores.cache_clear()``)."""
    settings = load(CallCenterSettings)
    directory = DynamoDirectory(
        client(),
        orders_table=settings.orders_table,
        customers_table=settings.customers_table,
        index=settings.phone_index,
    )
    return directory, SharedRecommendations(client(), settings)
