"""Reading the Orders table for the reconciliation, against moto with the platform's table definition, written by
the order service's own repository (so the reader cannot drift from the writer's item format)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from loadgen import orders_table
from order_service import orders_repository
from order_service.models import Order, OrderLine
from order_service.orders_repository import IdempotencyRecord, OrdersRepository
from order_service.status import OrderStatus
from stacks.table_specs import load_tables
from tests.integration.fake_aws import REGION, fake_credentials

TABLE = load_tables()["orders"].table_name("tlj-test")


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    fake_credentials(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**load_tables()["orders"].create_table_kwargs("tlj-test"))
        yield client


def order(order_id: str, customer_id: str) -> Order:
    return Order(
        order_id=order_id,
        customer_id=customer_id,
        status=OrderStatus.RECEIVED,
        lines=[OrderLine(sku="BRD-001", name="Soboro Bread", quantity=1, unit_price=2300)],
        total=2300,
        created_at="2026-12-01T09:00:00.000Z",
        updated_at="2026-12-01T09:00:00.000Z",
    )


def test_given_orders_keys_and_a_cancellation_then_the_state_of_each_customer_is_read(dynamodb: Any) -> None:
    # Given two orders of Ann (one with an idempotency key, later cancelled) and one of someone else
    repository = OrdersRepository(dynamodb, TABLE)
    record = IdempotencyRecord(key="k-1", request_hash="h", order_id="01JANN0000000000000000000A", expires_at=2**31)
    repository.create(order("01JANN0000000000000000000A", "ann"), record, 0)
    repository.create(order("01JANN0000000000000000000B", "ann"), None, 0)
    repository.create(order("01JBOB0000000000000000000A", "bob"), None, 0)
    repository.update_status(
        "ann", "01JANN0000000000000000000B", expected=OrderStatus.RECEIVED, target=OrderStatus.CANCELLED, now="t"
    )
    # When Ann's partition is read
    states = orders_table.read_states(dynamodb, TABLE, ["ann"])
    # Then it holds her orders with their statuses, and the key's order, and nothing of Bob's
    assert list(states) == ["ann"]
    assert dict(states["ann"].orders) == {
        "01JANN0000000000000000000A": "RECEIVED",
        "01JANN0000000000000000000B": "CANCELLED",
    }
    assert dict(states["ann"].keys) == {"k-1": "01JANN0000000000000000000A"}


def test_given_more_orders_than_one_page_then_every_page_is_read(dynamodb: Any) -> None:
    # Given seven orders and their keys, read two items a page
    repository = OrdersRepository(dynamodb, TABLE)
    for index in range(7):
        order_id = f"01JMANY{index:019d}"
        record = IdempotencyRecord(key=f"k-{index}", request_hash="h", order_id=order_id, expires_at=2**31)
        repository.create(order(order_id, "many"), record, 0)
    state = orders_table.read_state(dynamodb, TABLE, "many", page_size=2)
    # Then all of them are read, across the seven pages
    assert (len(state.orders), len(state.keys)) == (7, 7)


def test_given_the_order_service_then_its_idempotency_prefix_is_the_one_the_reader_expects() -> None:
    assert orders_table.IDEMPOTENCY_PREFIX == orders_repository.IDEMPOTENCY_PREFIX


def test_given_a_customer_with_no_orders_then_its_state_is_empty(dynamodb: Any) -> None:
    state = orders_table.read_state(dynamodb, TABLE, "nobody")
    assert (dict(state.orders), dict(state.keys)) == ({}, {})
