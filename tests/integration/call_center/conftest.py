"""The call center on moto: every table from ``stacks.table_specs`` (prefix ``tlj-local``, the handler's default),
the menu, a few customers and orders, and co-purchase statistics written by the recommender's own store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.call_center import repository
from lambdas.recommendation.models import Basket, Change
from lambdas.recommendation.repository import DynamoStatsStore
from lambdas.recommendation.stats import contribution
from lambdas.shared.dynamodb import to_item
from lambdas.shared.settings import load
from local.seed import seed_menu
from stacks.table_specs import load_tables
from tests.integration.fake_aws import REGION, fake_credentials

PREFIX = "tlj-local"
SEOUL = timezone(timedelta(hours=9))
IN_HOURS = datetime(2026, 5, 12, 10, 0, tzinfo=SEOUL)  # a Tuesday morning
AFTER_HOURS = datetime(2026, 5, 12, 23, 0, tzinfo=SEOUL)
KNOWN_PHONE = "+821012345678"  # the demo customer (010-1234-5678)
REGISTERED_PHONE = "+821055550000"  # signed up, never ordered
UNKNOWN_PHONE = "+821099998888"
LATEST_ORDER = "01JVB5S4K3M8N6P2Q7R9TW7K2X"
CUSTOMER_ID = "cust-jiwoo"


def table(key: str) -> str:
    return load_tables()[key].table_name(PREFIX)


def clear_caches() -> None:
    load.cache_clear()
    repository.clients.cache_clear()
    repository.stores.cache_clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto with fake credentials and the platform's tables; never real AWS, never an endpoint from the env."""
    fake_credentials(
        monkeypatch, unset=("STORE_HOURS",), POWERTOOLS_TRACE_DISABLED="true", POWERTOOLS_METRICS_DISABLED="true"
    )
    clear_caches()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        for spec in load_tables().values():
            client.create_table(**spec.create_table_kwargs(PREFIX))
        yield client
    clear_caches()


def put_order(
    client: Any, *, order_id: str, status: str, created_at: datetime, phone: str | None, **extra: Any
) -> None:
    item = {
        "customer_id": extra.pop("customer_id", CUSTOMER_ID),
        "order_id": order_id,
        "lines": [{"sku": "PST-001", "name": "Butter Croissant", "quantity": 2, "unit_price": 3500}],
        "total": 7000,
        "status": status,
        "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "customer_name": extra.pop("customer_name", "김지우"),
        **extra,
    }
    if phone:
        item["phone"] = phone
    client.put_item(TableName=table("orders"), Item=to_item(item))


@pytest.fixture
def seeded(aws: Any) -> Any:
    """The demo customer with three orders (the newest READY), a registered caller without orders, the menu, and
    statistics in which croissants and americanos sell together in the morning."""
    client = aws
    client.put_item(
        TableName=table("customers"),
        Item=to_item(
            {"customer_id": CUSTOMER_ID, "email": "jiwoo@example.com", "name": "김지우", "phone": KNOWN_PHONE}
        ),
    )
    client.put_item(
        TableName=table("customers"),
        Item=to_item(
            {"customer_id": "cust-new", "email": "new@example.com", "name": "Minjun", "phone": REGISTERED_PHONE}
        ),
    )
    put_order(
        client,
        order_id="01JV9Z1E8H2Q4R6T8V0W3Y5A7C",
        status="PICKED_UP",
        created_at=IN_HOURS - timedelta(days=3),
        phone=KNOWN_PHONE,
    )
    put_order(
        client, order_id=LATEST_ORDER, status="READY", created_at=IN_HOURS - timedelta(hours=1), phone=KNOWN_PHONE
    )
    # An idempotency record in the same partition: no phone, so it is not in the by-phone index.
    client.put_item(
        TableName=table("orders"),
        Item=to_item({"customer_id": CUSTOMER_ID, "order_id": "idem#key-1", "request_hash": "h", "expires_at": 1}),
    )
    seed_menu(boto3.resource("dynamodb", region_name=REGION).Table(table("catalog")))
    store = DynamoStatsStore(client, table("recommendations"))
    morning = IN_HOURS.replace(tzinfo=None) - timedelta(days=1)
    for index, skus in enumerate([("PST-001", "DRK-001")] * 6 + [("PST-001", "BRD-001"), ("DRK-002",)]):
        store.apply(
            Change(scope=f"seed#{index}", sign=1, deltas=contribution(Basket(skus=frozenset(skus), at=morning)))
        )
    return client
