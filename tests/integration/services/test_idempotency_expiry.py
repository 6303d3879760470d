"""The Idempotency-Key's expiry is one rule in the logic and in the repository's write condition: a record is
live while now < expires_at, and from the second expires_at on a new request with that key places a new order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from order_service.catalog_repository import CatalogRepository
from order_service.models import CreateOrderRequest, OrderItemIn
from order_service.orders_logic import IDEMPOTENCY_TTL, OrderService
from order_service.orders_repository import IdempotencyRecord, OrdersRepository
from service_kit.jwt_auth import Principal
from tests.integration.services.conftest import table

PLACED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CUSTOMER = Principal(subject="c-expiry", role="customer", name="Kim", phone="+821012345678")
BREAD = CreateOrderRequest(items=[OrderItemIn(sku="BRD-001", quantity=1)])


class Clock:
    def __init__(self) -> None:
        self.now = PLACED_AT

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def service_and_clock(dynamodb: Any) -> tuple[OrderService, Clock]:
    clock = Clock()
    service = OrderService(
        orders=OrdersRepository(dynamodb, table("orders")),
        catalog=CatalogRepository(dynamodb, table("catalog")),
        now=clock,
    )
    return service, clock


def test_the_record_expires_at_its_expires_at_second():
    record = IdempotencyRecord(key="k", request_hash="h", order_id="o", expires_at=1_000)
    assert (record.is_expired(999), record.is_expired(1_000), record.is_expired(1_001)) == (False, True, True)


@pytest.mark.parametrize(
    ("after", "replayed"),
    [(IDEMPOTENCY_TTL - timedelta(seconds=1), True), (IDEMPOTENCY_TTL, False), (IDEMPOTENCY_TTL + timedelta(1), False)],
    ids=["one-second-before-expiry", "at-expiry", "after-expiry"],
)
def test_a_key_replays_until_its_expiry_and_places_a_new_order_from_then_on(
    service_and_clock: tuple[OrderService, Clock], after: timedelta, replayed: bool
):
    # Given an order placed with an Idempotency-Key (its record expires IDEMPOTENCY_TTL later)
    service, clock = service_and_clock
    first = service.place(CUSTOMER, BREAD, "key-1")
    # When the same request comes again ``after`` later
    clock.now = PLACED_AT + after
    again = service.place(CUSTOMER, BREAD, "key-1")
    # Then it is the first order before the expiry second, and a new order (not a 409) from it on
    assert again.replayed is replayed
    assert (again.order.order_id == first.order.order_id) is replayed
    # And a new record was stored for the new order, so the key replays it from now on
    if not replayed:
        assert service.place(CUSTOMER, BREAD, "key-1").order.order_id == again.order.order_id
