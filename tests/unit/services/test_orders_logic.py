"""OrderService rules with in-memory stand-ins for the repositories (no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from order_service.models import CreateOrderRequest, MenuItem, Order, StatusUpdateRequest
from order_service.orders_logic import OrderService, iso_utc, priced_lines, request_hash, sorted_menu
from order_service.orders_repository import IdempotencyKeyTakenError, IdempotencyRecord, StatusChangedError
from order_service.status import OrderStatus
from service_kit.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from service_kit.jwt_auth import Principal

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CATALOG = {
    "BRD-001": MenuItem(sku="BRD-001", name="Soboro", price=2300, category="bread", available=True),
    "CKE-001": MenuItem(sku="CKE-001", name="Cake", price=28000, category="cake", available=True),
    "BRD-011": MenuItem(sku="BRD-011", name="Loaf", price=5200, category="bread", available=False),
}
CUSTOMER = Principal(subject="c-1", role="customer", name="Kim", phone="+821012345678")
STAFF = Principal(subject="s-1", role="staff", name="Lee", phone="")


class FakeCatalog:
    def scan_all(self) -> list[MenuItem]:
        return list(CATALOG.values())

    def get_many(self, skus: Any) -> dict[str, MenuItem]:
        return {sku: CATALOG[sku] for sku in skus if sku in CATALOG}


class FakeOrders:
    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], Order] = {}
        self.records: dict[tuple[str, str], IdempotencyRecord] = {}
        self.race_with: tuple[Order, IdempotencyRecord] | None = None  # written "by another request" first

    def create(self, order: Order, record: IdempotencyRecord | None, now_epoch: int) -> None:
        if self.race_with is not None:
            other_order, other_record = self.race_with
            self.orders[(other_order.customer_id, other_order.order_id)] = other_order
            self.records[(other_order.customer_id, other_record.key)] = other_record
            raise IdempotencyKeyTakenError()
        self.orders[(order.customer_id, order.order_id)] = order
        if record:
            self.records[(order.customer_id, record.key)] = record

    def get(self, customer_id: str, order_id: str) -> Order | None:
        return self.orders.get((customer_id, order_id))

    def get_idempotency(self, customer_id: str, key: str) -> IdempotencyRecord | None:
        return self.records.get((customer_id, key))

    def update_status(
        self, customer_id: str, order_id: str, *, expected: Any, target: Any, now: str, change: Any = None
    ) -> Order:
        order = self.orders[(customer_id, order_id)]
        if order.status != expected:
            raise StatusChangedError()
        history = [*order.status_history, *([change] if change else [])]
        updated = order.model_copy(update={"status": target, "updated_at": now, "status_history": history})
        self.orders[(customer_id, order_id)] = updated
        return updated


@pytest.fixture
def orders() -> FakeOrders:
    return FakeOrders()


@pytest.fixture
def service(orders: FakeOrders) -> OrderService:
    return OrderService(orders=orders, catalog=FakeCatalog(), now=lambda: NOW)  # type: ignore[arg-type]


def body(**quantities: int) -> CreateOrderRequest:
    return CreateOrderRequest.model_validate(
        {"items": [{"sku": sku.replace("_", "-"), "quantity": q} for sku, q in quantities.items()]}
    )


def test_prices_and_names_come_from_the_catalog():
    lines = priced_lines(body(BRD_001=2, CKE_001=1), CATALOG)
    assert [(line.sku, line.name, line.quantity, line.unit_price) for line in lines] == [
        ("BRD-001", "Soboro", 2, 2300),
        ("CKE-001", "Cake", 1, 28000),
    ]


def test_unknown_and_unavailable_skus_are_422():
    with pytest.raises(UnprocessableError, match="unknown sku: NOPE-1"):
        priced_lines(CreateOrderRequest.model_validate({"items": [{"sku": "NOPE-1", "quantity": 1}]}), CATALOG)
    with pytest.raises(UnprocessableError, match="not available: BRD-011"):
        priced_lines(body(BRD_011=1), CATALOG)


def test_the_menu_is_sorted_by_category_then_name():
    assert [item.sku for item in sorted_menu(list(CATALOG.values()))] == ["BRD-011", "BRD-001", "CKE-001"]


def test_request_hash_ignores_formatting_but_not_content():
    same = CreateOrderRequest.model_validate_json('{ "items" : [ {"quantity": 2, "sku": "BRD-001"} ] }')
    assert request_hash(same) == request_hash(body(BRD_001=2))
    assert request_hash(body(BRD_001=3)) != request_hash(body(BRD_001=2))


def test_times_are_iso_utc_with_z():
    assert (
        iso_utc(datetime(2026, 3, 1, 18, 30, tzinfo=UTC) + timedelta(microseconds=1500)) == "2026-03-01T18:30:00.001Z"
    )


def test_a_placed_order_belongs_to_the_token_subject_and_carries_its_name_and_phone(service: OrderService):
    placed = service.place(CUSTOMER, body(BRD_001=2, CKE_001=1), None)
    assert not placed.replayed
    order = placed.order
    assert (order.customer_id, order.customer_name, order.phone) == ("c-1", "Kim", "+821012345678")
    assert order.total == 2 * 2300 + 28000
    assert order.status is OrderStatus.RECEIVED
    assert order.created_at == "2026-03-01T09:30:00.000Z"


def test_the_same_key_and_body_replays_and_a_different_body_conflicts(service: OrderService, orders: FakeOrders):
    first = service.place(CUSTOMER, body(BRD_001=2), "key-1")
    again = service.place(CUSTOMER, body(BRD_001=2), "key-1")
    assert again.replayed
    assert again.order.order_id == first.order.order_id
    assert len(orders.orders) == 1
    with pytest.raises(ConflictError, match="different request body"):
        service.place(CUSTOMER, body(BRD_001=3), "key-1")


def test_a_key_is_scoped_to_its_customer(service: OrderService, orders: FakeOrders):
    service.place(CUSTOMER, body(BRD_001=2), "key-1")
    other = Principal(subject="c-2", role="customer", name="Park", phone="")
    assert not service.place(other, body(BRD_001=3), "key-1").replayed
    assert len(orders.orders) == 2


def test_an_expired_record_does_not_replay(service: OrderService, orders: FakeOrders):
    first = service.place(CUSTOMER, body(BRD_001=2), "key-1")
    record = orders.records[("c-1", "key-1")]
    orders.records[("c-1", "key-1")] = IdempotencyRecord(
        key="key-1", request_hash=record.request_hash, order_id=record.order_id, expires_at=int(NOW.timestamp())
    )
    assert service.place(CUSTOMER, body(BRD_001=2), "key-1").order.order_id != first.order.order_id


def test_losing_a_race_on_the_key_answers_with_the_winners_order(service: OrderService, orders: FakeOrders):
    # Given another request with the same key and body commits between our check and our write
    winner = service.place(CUSTOMER, body(BRD_001=2), "other-key").order
    orders.race_with = (
        winner,
        IdempotencyRecord(
            key="key-1", request_hash=request_hash(body(BRD_001=2)), order_id=winner.order_id, expires_at=2**40
        ),
    )
    # When this request tries to write, then it replays the winner's order instead of making a second one
    placed = service.place(CUSTOMER, body(BRD_001=2), "key-1")
    assert placed.replayed
    assert placed.order.order_id == winner.order_id


def test_orders_of_others_and_malformed_ids_are_not_found(service: OrderService):
    order = service.place(CUSTOMER, body(BRD_001=1), None).order
    other = Principal(subject="c-2", role="customer", name="", phone="")
    for principal, order_id in ((other, order.order_id), (CUSTOMER, "nope"), (CUSTOMER, "idem#key-1")):
        with pytest.raises(NotFoundError):
            service.get(principal, order_id)


def test_cancel_only_from_received(service: OrderService):
    order = service.place(CUSTOMER, body(BRD_001=1), None).order
    assert service.cancel(CUSTOMER, order.order_id).status is OrderStatus.CANCELLED
    with pytest.raises(ConflictError, match="only RECEIVED"):
        service.cancel(CUSTOMER, order.order_id)


def test_status_changes_need_staff_and_follow_the_machine(service: OrderService):
    order = service.place(CUSTOMER, body(BRD_001=1), None).order
    with pytest.raises(ForbiddenError):
        service.set_status(CUSTOMER, order.order_id, StatusUpdateRequest(status=OrderStatus.BAKING, customer_id="c-1"))
    with pytest.raises(ConflictError, match="from RECEIVED to READY"):
        service.set_status(STAFF, order.order_id, StatusUpdateRequest(status=OrderStatus.READY, customer_id="c-1"))
    moved = service.set_status(STAFF, order.order_id, StatusUpdateRequest(status=OrderStatus.BAKING, customer_id="c-1"))
    assert moved.status is OrderStatus.BAKING


def test_given_staff_moving_an_order_then_who_and_when_are_recorded_on_it(service: OrderService):
    # Given an order
    order = service.place(CUSTOMER, body(BRD_001=1), None).order
    # When staff moves it twice
    service.set_status(STAFF, order.order_id, StatusUpdateRequest(status=OrderStatus.BAKING, customer_id="c-1"))
    moved = service.set_status(STAFF, order.order_id, StatusUpdateRequest(status=OrderStatus.READY, customer_id="c-1"))
    # Then each move names the staff member, their role and the time, in order
    assert [(c.status, c.by, c.role) for c in moved.status_history] == [
        (OrderStatus.BAKING, "s-1", "staff"),
        (OrderStatus.READY, "s-1", "staff"),
    ]
    assert all(c.at == moved.updated_at for c in moved.status_history[-1:])


def test_a_concurrent_status_change_is_a_conflict_not_a_lost_update(service: OrderService, orders: FakeOrders):
    order = service.place(CUSTOMER, body(BRD_001=1), None).order

    def changed_meanwhile(*args: Any, **kwargs: Any) -> Order:
        raise StatusChangedError()

    orders.update_status = changed_meanwhile  # type: ignore[method-assign]
    with pytest.raises(ConflictError, match="concurrently"):
        service.cancel(CUSTOMER, order.order_id)
