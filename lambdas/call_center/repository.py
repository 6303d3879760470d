"""All AWS access of the call center: Orders and Customers by phone, and the recommender's tables.

Connect waits at most 8 s for the Lambda; the lookup keeps to a 3 s budget (``BUDGET_MS``). So:

* the two DynamoDB clients are made once per process (:func:`clients`; at init inside Lambda, see ``handler``),
  with short timeouts, and each call takes the retrying one only while a retry fits (``lambdas.shared.budget``);
* a call's lookups run in parallel (:class:`CallLookup`): the shared recommendation statistics and the catalog
  beside the Orders by-phone query, the Customers by-phone query hedged beside it, the customer's own history once
  the customer is known. Each is awaited for at most what is left of the budget;
* the shared statistics are cached as the API caches them (``CachedStatsStore``), so a warm call reads only the
  phone indexes and the customer's own history.

The recommender is the recommendation package's own code, given these clients so that it obeys the same limits.
"""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime
from functools import cache
from typing import Any

import botocore.session

from lambdas.call_center.logic import CustomerSummary, OrderSummary
from lambdas.call_center.phone import normalise
from lambdas.call_center.settings import CallCenterSettings
from lambdas.call_center.speech import Lang
from lambdas.recommendation.models import RecommendationQuery
from lambdas.recommendation.repository import DynamoCatalog, DynamoStatsStore
from lambdas.recommendation.service import Recommender, recommend
from lambdas.recommendation.stats import is_shared, partitions_to_read
from lambdas.recommendation.stats_cache import CachedStatsStore
from lambdas.shared.budget import RETRYING, SINGLE_ATTEMPT, Budget, BudgetedClient, Parallel
from lambdas.shared.dynamodb import from_item
from lambdas.shared.observability import traced_client
from lambdas.shared.settings import load

CUSTOMERS_LIMIT = 2  # enough to tell one customer from a shared number
HEDGE_MS = 25  # an Orders answer slower than this (DynamoDB answers in single-digit ms) starts the Customers query


@cache
def clients() -> BudgetedClient:
    """The process's DynamoDB clients, both from one session (the second reuses its loaded service model)."""
    session = botocore.session.get_session()  # botocore, not boto3: see lambdas.shared.dynamodb
    return BudgetedClient(
        traced_client(session.create_client("dynamodb", config=RETRYING)),
        traced_client(session.create_client("dynamodb", config=SINGLE_ATTEMPT)),
    )


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
        self.store = CachedStatsStore(
            DynamoStatsStore(dynamodb, settings.recommendations_table),
            shared=is_shared,
            ttl_seconds=settings.stats_cache_seconds,
        )
        self.catalog = DynamoCatalog(dynamodb, settings.catalog_table, ttl_seconds=settings.catalog_cache_seconds)
        self._recommender = Recommender(
            store=self.store, catalog=self.catalog, zone=settings.store_timezone, default_lang=settings.default_lang
        )

    def warm(self) -> None:
        """Read (or find cached) what every caller's recommendations need: shared statistics and the catalog."""
        self.store.read(partitions_to_read([], None))
        self.catalog.items()

    def names(self, *, customer_id: str | None, lang: Lang, at: datetime, k: int) -> list[str]:
        query = RecommendationQuery(customer_id=customer_id, k=k, at=at, lang=lang)
        return [item.name for item in recommend(query, self._recommender)]


class CallLookup:
    """One call's lookups (``logic.Directory`` and ``logic.Recommendations``), started early, run in parallel and
    awaited within the budget.

    The shared statistics and the catalog are read from the first moment, beside the Orders query. The Customers
    query is hedged: it starts beside the Orders query when that is slower than ``HEDGE_MS`` and otherwise when the
    rules ask for it (no order, or an order without a name). Always sending it was measured: on the local emulator
    the known caller's warm p99 went from 1.5x to 3.2x a bare query (the extra request competes with the Orders
    query, and its answer is unused whenever the order names the caller).
    """

    def __init__(self, stores: Stores, budget: Budget) -> None:
        self._stores = stores
        self._budget = budget
        self._customers: dict[str, Future[list[CustomerSummary]]] = {}
        self._shared = stores.parallel.submit(stores.recommendations.warm)

    def latest_order(self, phone: str) -> OrderSummary | None:
        directory, parallel = self._stores.directory, self._stores.parallel
        order = parallel.submit(directory.latest_order, phone)
        if not parallel.done_within(order, HEDGE_MS) and phone not in self._customers:
            self._customers[phone] = parallel.submit(directory.customers, phone, CUSTOMERS_LIMIT)
        return parallel.wait(order, self._budget)

    def customers(self, phone: str, limit: int) -> list[CustomerSummary]:
        started = self._customers.get(phone) if limit <= CUSTOMERS_LIMIT else None
        future = started or self._stores.parallel.submit(self._stores.directory.customers, phone, limit)
        return self._stores.parallel.wait(future, self._budget)[:limit]

    def names(self, *, customer_id: str | None, lang: Lang, at: datetime, k: int) -> list[str]:
        parallel, recommendations = self._stores.parallel, self._stores.recommendations
        parallel.settle(self._shared, self._budget)  # failed or late: the recommender reads for itself below
        answer = parallel.submit(recommendations.names, customer_id=customer_id, lang=lang, at=at, k=k)
        return parallel.wait(answer, self._budget)


class Stores:
    """What the call center reads from, built once per process."""

    def __init__(self, settings: CallCenterSettings, dynamodb: BudgetedClient, parallel: Parallel) -> None:
        self.clients = dynamodb
        self.parallel = parallel
        self.directory = DynamoDirectory(
            dynamodb,
            orders_table=settings.orders_table,
            customers_table=settings.customers_table,
            index=settings.phone_index,
        )
        self.recommendations = SharedRecommendations(dynamodb, settings)

    def begin(self, budget: Budget) -> CallLookup:
        """The lookups of the call that starts now (Lambda runs one call at a time per execution environment)."""
        self.clients.use(budget)
        return CallLookup(self, budget)


@cache
def stores() -> Stores:
    """The stores named in the settings, built once per process (tests call ``stores.cache_clear()``)."""
    return Stores(load(CallCenterSettings), clients(), Parallel(workers=6))


def warm_up() -> None:
    """Settings, stores with their clients, phonenumbers' metadata and the Connect event class: made now."""
    from aws_lambda_powertools.utilities.data_classes import ConnectContactFlowEvent  # noqa: F401

    stores()
    normalise("+821012345678", load(CallCenterSettings).phone_region)
