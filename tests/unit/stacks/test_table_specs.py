"""The shared table definitions turn into the same tables for boto3 (local) as for CDK (cloud)."""

from __future__ import annotations

import pytest

from stacks.config import DEV
from stacks.constructs.logs import retention
from stacks.table_specs import load_tables


def test_given_the_shared_file_then_it_defines_customers_catalog_orders_throttle_and_recommendations() -> None:
    assert list(load_tables()) == ["customers", "catalog", "orders", "throttle", "recommendations"]


def test_given_the_recommendations_table_then_its_construct_builds_it_not_data() -> None:
    tables = load_tables()
    assert [key for key, spec in tables.items() if spec.owner == "data"] == [
        "customers",
        "catalog",
        "orders",
        "throttle",
    ]
    assert tables["recommendations"].owner == "recommendation"
    assert tables["recommendations"].create_table_kwargs("p")["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]


def test_given_orders_when_turned_into_create_table_arguments_then_keys_index_and_stream_are_there() -> None:
    kwargs = load_tables()["orders"].create_table_kwargs("tlj-local")
    assert kwargs["TableName"] == "tlj-local-orders"
    assert kwargs["BillingMode"] == "PAY_PER_REQUEST"
    assert kwargs["KeySchema"] == [
        {"AttributeName": "customer_id", "KeyType": "HASH"},
        {"AttributeName": "order_id", "KeyType": "RANGE"},
    ]
    (index,) = kwargs["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-phone"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["phone", "created_at"]
    assert kwargs["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_given_keys_shared_by_table_and_indexes_then_each_attribute_is_defined_once() -> None:
    for spec in load_tables().values():
        names = [a["AttributeName"] for a in spec.create_table_kwargs("p")["AttributeDefinitions"]]
        assert len(names) == len(set(names)), spec.key


def test_given_the_catalog_then_it_has_no_stream_and_no_index() -> None:
    kwargs = load_tables()["catalog"].create_table_kwargs("tlj-local")
    assert "StreamSpecification" not in kwargs
    assert "GlobalSecondaryIndexes" not in kwargs


def test_given_an_environment_prefix_then_table_names_follow_it() -> None:
    assert load_tables()["customers"].table_name(DEV.prefix) == "tlj-dev-customers"


def test_a_retention_cloudwatch_does_not_offer_is_refused_with_the_allowed_values() -> None:
    assert retention(90).name == "THREE_MONTHS"
    with pytest.raises(ValueError, match="not one CloudWatch Logs offers"):
        retention(10)


def test_given_the_throttle_table_then_it_is_one_partition_key_with_ttl_and_no_index_or_stream() -> None:
    spec = load_tables()["throttle"]
    kwargs = spec.create_table_kwargs("tlj-local")
    assert kwargs["TableName"] == "tlj-local-throttle"
    assert kwargs["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert "GlobalSecondaryIndexes" not in kwargs
    assert "StreamSpecification" not in kwargs
    assert spec.ttl_attribute == "expires_at"
