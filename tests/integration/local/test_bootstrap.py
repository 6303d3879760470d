"""Table bootstrap from the shared specs and the menu seed, against moto's in-process mock."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from moto import mock_aws

from local.bootstrap import create_tables, dynamodb_client, dynamodb_resource
from local.seed import seed_menu

PREFIX = "tlj-local"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-2")
    with mock_aws():
        yield dynamodb_client(None)


def describe(client: Any, key: str) -> dict[str, Any]:
    return client.describe_table(TableName=f"{PREFIX}-{key}")["Table"]


def key_schema(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(part["AttributeName"], part["KeyType"]) for part in schema]


def indexes(table: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {index["IndexName"]: key_schema(index["KeySchema"]) for index in table.get("GlobalSecondaryIndexes", [])}


def test_creates_the_five_platform_tables(client: Any) -> None:
    # Given an empty emulator
    # When the tables are created
    names = create_tables(client, PREFIX)
    # Then the customers, catalog, orders, throttle and recommendations tables exist under the local prefix, on
    # demand, ACTIVE
    expected = [
        "tlj-local-catalog",
        "tlj-local-customers",
        "tlj-local-orders",
        "tlj-local-recommendations",
        "tlj-local-throttle",
    ]
    assert sorted(names) == expected
    assert sorted(client.list_tables()["TableNames"]) == expected
    for key in ("customers", "catalog", "orders", "throttle", "recommendations"):
        table = describe(client, key)
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_customers_are_found_by_email_and_by_phone(client: Any) -> None:
    # Given / When
    create_tables(client, PREFIX)
    table = describe(client, "customers")
    # Then
    assert key_schema(table["KeySchema"]) == [("customer_id", "HASH")]
    assert indexes(table) == {"by-email": [("email", "HASH")], "by-phone": [("phone", "HASH")]}


def test_catalog_is_keyed_by_sku(client: Any) -> None:
    # Given / When
    create_tables(client, PREFIX)
    table = describe(client, "catalog")
    # Then
    assert key_schema(table["KeySchema"]) == [("sku", "HASH")]
    assert indexes(table) == {}


def test_orders_have_the_phone_index_a_stream_and_ttl(client: Any) -> None:
    # Given / When
    create_tables(client, PREFIX)
    table = describe(client, "orders")
    ttl = client.describe_time_to_live(TableName="tlj-local-orders")["TimeToLiveDescription"]
    # Then orders sort per customer, the call center finds them by phone, the indexer gets both images
    assert key_schema(table["KeySchema"]) == [("customer_id", "HASH"), ("order_id", "RANGE")]
    assert indexes(table) == {"by-phone": [("phone", "HASH"), ("created_at", "RANGE")]}
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert "LatestStreamArn" in table
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_creating_twice_is_fine(client: Any) -> None:
    # Given tables that already exist
    create_tables(client, PREFIX)
    # When the bootstrap runs again
    names = create_tables(client, PREFIX)
    # Then nothing fails and nothing is duplicated; TTL stays on
    assert len(names) == 5
    assert len(client.list_tables()["TableNames"]) == 5
    ttl = client.describe_time_to_live(TableName="tlj-local-orders")["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"


def test_seed_loads_the_menu_with_integer_prices(client: Any) -> None:
    # Given the tables
    create_tables(client, PREFIX)
    # When the menu is seeded
    count = seed_menu(dynamodb_resource(None).Table("tlj-local-catalog"))
    # Then 24-30 items are stored with the catalog shape and prices as whole-number DynamoDB Numbers
    items = client.scan(TableName="tlj-local-catalog")["Items"]
    assert 24 <= count <= 30
    assert len(items) == count
    for item in items:
        assert set(item) == {"sku", "name", "name_ko", "category", "price", "available"}
        assert set(item["price"]) == {"N"}
        assert Decimal(item["price"]["N"]) == int(item["price"]["N"])
        assert set(item["available"]) == {"BOOL"}


def test_seeding_again_restores_the_menu_without_duplicates(client: Any) -> None:
    # Given a seeded catalog where someone changed a price
    create_tables(client, PREFIX)
    table = dynamodb_resource(None).Table("tlj-local-catalog")
    count = seed_menu(table)
    table.update_item(
        Key={"sku": "BRD-001"}, UpdateExpression="SET price = :p", ExpressionAttributeValues={":p": Decimal(1)}
    )
    # When the menu is seeded again
    seed_menu(table)
    # Then the item count is unchanged and the price is the menu's again
    assert table.scan(Select="COUNT")["Count"] == count
    assert table.get_item(Key={"sku": "BRD-001"})["Item"]["price"] == Decimal(2300)


def test_the_throttle_table_is_keyed_by_pk_and_its_counters_expire_through_ttl(client: Any) -> None:
    # Given / When
    create_tables(client, PREFIX)
    table = describe(client, "throttle")
    ttl = client.describe_time_to_live(TableName="tlj-local-throttle")["TimeToLiveDescription"]
    # Then
    assert key_schema(table["KeySchema"]) == [("pk", "HASH")]
    assert indexes(table) == {}
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
