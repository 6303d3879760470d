"""Repositories against moto's DynamoDB with the platform's real table definitions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
import pytest

from login_service.customers_repository import Customer, CustomersRepository, EmailTakenError
from order_service.catalog_repository import CatalogRepository
from order_service.ids import UlidGenerator
from order_service.models import Order, OrderLine, StatusChange
from order_service.orders_repository import (
    IdempotencyKeyTakenError,
    IdempotencyRecord,
    OrdersRepository,
    StatusChangedError,
)
from order_service.status import OrderStatus
from tests.integration.services.conftest import REGION, table

CUSTOMER = Customer(
    customer_id="c-1",
    email="kim@example.com",
    password_hash="$argon2id$fake",
    name="Kim",
    phone="+821012345678",
    role="customer",
    created_at="2026-03-01T09:00:00.000Z",
)


@pytest.fixture
def customers(dynamodb: Any) -> CustomersRepository:
    return CustomersRepository(dynamodb, table("customers"))


@pytest.fixture
def orders(dynamodb: Any) -> OrdersRepository:
    return OrdersRepository(dynamodb, table("orders"))


def make_order(order_id: str, customer_id: str = "c-1", phone: str | None = "+821012345678") -> Order:
    return Order(
        order_id=order_id,
        customer_id=customer_id,
        status=OrderStatus.RECEIVED,
        lines=[OrderLine(sku="BRD-001", name="Soboro Bread", quantity=2, unit_price=2300)],
        total=4600,
        created_at="2026-03-01T09:00:00.000Z",
        updated_at="2026-03-01T09:00:00.000Z",
        customer_name="Kim",
        phone=phone,
    )


def test_a_customer_is_found_by_email_through_its_lock(customers: CustomersRepository):
    customers.create(CUSTOMER)
    assert customers.find_by_email("kim@example.com") == CUSTOMER
    assert customers.find_by_email("nobody@example.com") is None


def test_a_second_customer_with_the_same_email_is_refused(customers: CustomersRepository):
    customers.create(CUSTOMER)
    with pytest.raises(EmailTakenError):
        customers.create(replace(CUSTOMER, customer_id="c-2", phone="+821099998888"))
    assert customers.get("c-2") is None


class ResentAfterTimeout:
    """A client whose transaction lands, loses its answer and is sent again, as botocore does after a read
    timeout: the resend then meets the items its first attempt wrote."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transact_write_items(self, **request: Any) -> Any:
        self._client.transact_write_items(**request)
        return self._client.transact_write_items(**request)


def test_given_a_signup_whose_answer_was_lost_and_resent_then_it_succeeds_once(dynamodb: Any):
    # Given the repository behind a client that resends the transaction after it landed
    customers = CustomersRepository(ResentAfterTimeout(dynamodb), table("customers"))
    # When the customer signs up
    customers.create(CUSTOMER)
    # Then the signup succeeds (not "email already registered") and the customer exists once
    assert customers.find_by_email("kim@example.com") == CUSTOMER


def test_given_the_email_lock_held_by_another_customer_then_a_resent_signup_is_still_refused(dynamodb: Any):
    # Given another customer's lock on the email (its customer item not in the index yet: a concurrent signup)
    dynamodb.put_item(
        TableName=table("customers"), Item={"customer_id": {"S": "email#kim@example.com"}, "owner": {"S": "c-0"}}
    )
    customers = CustomersRepository(ResentAfterTimeout(dynamodb), table("customers"))
    # When this customer signs up with that email, Then it is refused and nothing of theirs is written
    with pytest.raises(EmailTakenError):
        customers.create(CUSTOMER)
    assert customers.get("c-1") is None


def test_the_email_lock_stays_out_of_the_indexes(customers: CustomersRepository, dynamodb: Any):
    customers.create(CUSTOMER)
    lock = dynamodb.get_item(TableName=table("customers"), Key={"customer_id": {"S": "email#kim@example.com"}})["Item"]
    assert set(lock) == {"customer_id", "owner"}
    by_email = dynamodb.query(
        TableName=table("customers"),
        IndexName="by-email",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": "kim@example.com"}},
    )["Items"]
    assert [item["customer_id"]["S"] for item in by_email] == ["c-1"]


def test_a_customer_written_without_a_lock_is_found_through_the_email_index(customers: CustomersRepository):
    boto3.resource("dynamodb", region_name=REGION).Table(table("customers")).put_item(
        Item={**CUSTOMER.__dict__, "customer_id": "staff-1", "email": "staff@tlj.example", "role": "staff"}
    )
    found = customers.find_by_email("staff@tlj.example")
    assert found is not None
    assert (found.customer_id, found.role) == ("staff-1", "staff")


def test_the_catalog_is_read_across_scan_pages(dynamodb: Any):
    catalog = CatalogRepository(dynamodb, table("catalog"))
    items = catalog.scan_all(page_size=2)
    assert sorted(item.sku for item in items) == ["BRD-001", "BRD-002", "BRD-011", "CKE-001", "DRK-001", "PST-001"]
    assert {item.sku: item.price for item in items}["CKE-001"] == 28000


def test_catalog_lookup_returns_known_skus_and_skips_malformed_items(dynamodb: Any):
    resource = boto3.resource("dynamodb", region_name=REGION).Table(table("catalog"))
    resource.put_item(Item={"sku": "BAD-001", "name": "No price"})
    resource.put_item(Item={"sku": "BAD-002", "name": "Fraction", "price": "12.5"})
    catalog = CatalogRepository(dynamodb, table("catalog"))
    found = catalog.get_many(["BRD-001", "BRD-011", "NOPE-1", "BAD-001", "BAD-002"])
    assert sorted(found) == ["BRD-001", "BRD-011"]
    assert found["BRD-011"].available is False
    assert "BAD-001" not in {item.sku for item in catalog.scan_all()}


def test_an_order_and_its_idempotency_record_are_written_together(orders: OrdersRepository):
    order = make_order(UlidGenerator().new())
    record = IdempotencyRecord(key="k-1", request_hash="h", order_id=order.order_id, expires_at=2_000_000_000)
    orders.create(order, record, now_epoch=1_700_000_000)
    assert orders.get("c-1", order.order_id) == order
    assert orders.get_idempotency("c-1", "k-1") == record
    # a second order under the same key is refused, and is not written either
    second = make_order(UlidGenerator().new())
    with pytest.raises(IdempotencyKeyTakenError):
        orders.create(second, replace(record, order_id=second.order_id), now_epoch=1_700_000_000)
    assert orders.get("c-1", second.order_id) is None


def test_an_expired_idempotency_record_can_be_replaced(orders: OrdersRepository):
    first = make_order(UlidGenerator().new())
    orders.create(first, IdempotencyRecord(key="k", request_hash="h", order_id=first.order_id, expires_at=100), 50)
    second = make_order(UlidGenerator().new())
    orders.create(second, IdempotencyRecord(key="k", request_hash="h2", order_id=second.order_id, expires_at=500), 200)
    record = orders.get_idempotency("c-1", "k")
    assert record is not None
    assert record.order_id == second.order_id


def test_listing_is_newest_first_paginated_and_skips_idempotency_records(orders: OrdersRepository):
    ids = UlidGenerator()
    made = [make_order(ids.new()) for _ in range(5)]
    for number, order in enumerate(made):
        orders.create(
            order, IdempotencyRecord(key=f"k{number}", request_hash="h", order_id=order.order_id, expires_at=2**40), 0
        )
    orders.create(make_order(ids.new(), customer_id="c-2"), None, 0)
    first, last = orders.page("c-1", 3, None)
    assert [o.order_id for o in first] == [o.order_id for o in reversed(made)][:3]
    assert last == first[-1].order_id
    second, last = orders.page("c-1", 3, last)
    assert [o.order_id for o in second] == [made[1].order_id, made[0].order_id]
    assert last is None


def test_status_updates_are_conditional_on_the_current_status(orders: OrdersRepository):
    order = make_order(UlidGenerator().new())
    orders.create(order, None, 0)
    moved = orders.update_status(
        "c-1", order.order_id, expected=OrderStatus.RECEIVED, target=OrderStatus.BAKING, now="2026-03-01T10:00:00.000Z"
    )
    assert (moved.status, moved.updated_at) == (OrderStatus.BAKING, "2026-03-01T10:00:00.000Z")
    # a second writer that still believes the order is RECEIVED loses
    with pytest.raises(StatusChangedError):
        orders.update_status(
            "c-1", order.order_id, expected=OrderStatus.RECEIVED, target=OrderStatus.CANCELLED, now="x"
        )
    with pytest.raises(StatusChangedError):
        orders.update_status(
            "c-1", "01HZZZZZZZZZZZZZZZZZZZZZZZ", expected=OrderStatus.RECEIVED, target=OrderStatus.BAKING, now="x"
        )
    current = orders.get("c-1", order.order_id)
    assert current is not None
    assert current.status is OrderStatus.BAKING


def test_given_a_status_change_with_its_author_then_it_is_appended_to_the_orders_history(orders: OrdersRepository):
    # Given an order with no history
    order = make_order(UlidGenerator().new())
    orders.create(order, None, 0)
    first = StatusChange(status=OrderStatus.BAKING, by="s-1", role="staff", at="2026-03-01T10:00:00.000Z")
    second = StatusChange(status=OrderStatus.READY, by="s-2", role="staff", at="2026-03-01T10:05:00.000Z")
    # When two moves are recorded
    orders.update_status(
        "c-1", order.order_id, expected=OrderStatus.RECEIVED, target=first.status, now=first.at, change=first
    )
    orders.update_status(
        "c-1", order.order_id, expected=first.status, target=second.status, now=second.at, change=second
    )
    # Then the stored order lists both, oldest first
    current = orders.get("c-1", order.order_id)
    assert current is not None
    assert current.status_history == [first, second]


def test_orders_with_a_phone_are_in_the_by_phone_index_and_others_are_not(orders: OrdersRepository, dynamodb: Any):
    ids = UlidGenerator()
    with_phone, without = make_order(ids.new()), make_order(ids.new(), customer_id="staff-1", phone=None)
    orders.create(with_phone, None, 0)
    orders.create(without, None, 0)
    found = dynamodb.query(
        TableName=table("orders"),
        IndexName="by-phone",
        KeyConditionExpression="phone = :p",
        ExpressionAttributeValues={":p": {"S": "+821012345678"}},
    )["Items"]
    assert [item["order_id"]["S"] for item in found] == [with_phone.order_id]
    stored = orders.get("staff-1", without.order_id)
    assert stored is not None
    assert stored.phone is None


class CancellingClient:
    """A client whose transactions are cancelled with the given per-item reason codes."""

    def __init__(self, *codes: str) -> None:
        self.codes = codes

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return {"Items": []}  # the by-email index holds no account

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        return {}  # the competing writer's lock is not readable yet

    def transact_write_items(self, **kwargs: Any) -> None:
        from botocore.exceptions import ClientError

        reasons = [{"Code": code} for code in self.codes]
        error = {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": reasons,
        }
        raise ClientError(error, "TransactWriteItems")


@pytest.mark.parametrize("code", ["ConditionalCheckFailed", "TransactionConflict"])
def test_losing_on_the_idempotency_record_or_email_lock_is_reported_as_such(code: str):
    record = IdempotencyRecord(key="k", request_hash="h", order_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", expires_at=1)
    with pytest.raises(IdempotencyKeyTakenError):
        OrdersRepository(CancellingClient("None", code), "t").create(make_order(record.order_id), record, 0)
    with pytest.raises(EmailTakenError):
        CustomersRepository(CancellingClient("None", code), "t").create(CUSTOMER)


def test_other_transaction_failures_are_not_mistaken_for_a_taken_key():
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        OrdersRepository(CancellingClient("ThrottlingError", "None"), "t").create(
            make_order("01HZZZZZZZZZZZZZZZZZZZZZZZ"), None, 0
        )
