"""The directory on moto: the newest order by phone through the Orders index, customers through theirs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lambdas.call_center.repository import DynamoDirectory
from tests.integration.call_center.conftest import (
    CUSTOMER_ID,
    IN_HOURS,
    KNOWN_PHONE,
    LATEST_ORDER,
    REGISTERED_PHONE,
    UNKNOWN_PHONE,
    put_order,
    table,
)


def directory(client: Any) -> DynamoDirectory:
    return DynamoDirectory(client, orders_table=table("orders"), customers_table=table("customers"))


def test_given_several_orders_then_the_newest_by_creation_time_is_returned(seeded: Any) -> None:
    order = directory(seeded).latest_order(KNOWN_PHONE)
    assert order is not None
    assert (order.order_id, order.status, order.customer_id, order.customer_name) == (
        LATEST_ORDER,
        "READY",
        CUSTOMER_ID,
        "김지우",
    )


def test_given_an_order_of_another_customer_with_the_same_phone_then_the_newest_wins(seeded: Any) -> None:
    put_order(
        seeded,
        order_id="01JVZZZZZZZZZZZZZZZZZZZZZZ",
        status="BAKING",
        created_at=IN_HOURS - timedelta(minutes=5),
        phone=KNOWN_PHONE,
        customer_id="cust-other",
        customer_name="",
    )
    order = directory(seeded).latest_order(KNOWN_PHONE)
    assert order is not None
    assert (order.customer_id, order.status, order.customer_name) == ("cust-other", "BAKING", "")


def test_given_no_orders_for_a_phone_then_none(seeded: Any) -> None:
    assert directory(seeded).latest_order(UNKNOWN_PHONE) is None
    assert directory(seeded).latest_order(REGISTERED_PHONE) is None


def test_given_customers_by_phone_then_the_index_finds_them(seeded: Any) -> None:
    assert [(c.customer_id, c.name) for c in directory(seeded).customers(REGISTERED_PHONE, limit=2)] == [
        ("cust-new", "Minjun")
    ]
    assert directory(seeded).customers(UNKNOWN_PHONE, limit=2) == []
