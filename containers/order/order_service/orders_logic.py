"""The rules of ordering: pricing from the catalog, idempotent creation, ownership and the status machine.

No boto3 here: the repositories own every AWS call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from order_service.catalog_repository import CatalogRepository
from order_service.cursor import decode_cursor, encode_cursor
from order_service.ids import UlidGenerator, is_ulid
from order_service.metrics import order_cancelled, order_created
from order_service.models import (
    CreateOrderRequest,
    MenuItem,
    Order,
    OrderLine,
    OrderPage,
    StatusChange,
    StatusUpdateRequest,
)
from order_service.orders_repository import (
    IdempotencyKeyTakenError,
    IdempotencyRecord,
    OrdersRepository,
    StatusChangedError,
)
from order_service.status import OrderStatus, can_transition
from service_kit.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from service_kit.jwt_auth import Principal

IDEMPOTENCY_TTL = timedelta(hours=24)


@dataclass(frozen=True, kw_only=True)
class PlacedOrder:
    order: Order
    replayed: bool


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def request_hash(request: CreateOrderRequest) -> str:
    """SHA-256 of the canonical JSON of the validated body (key order and whitespace do not matter)."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def sorted_menu(items: list[MenuItem]) -> list[MenuItem]:
    return sorted(items, key=lambda item: (item.category, item.name, item.sku))


def priced_lines(request: CreateOrderRequest, catalog: dict[str, MenuItem]) -> list[OrderLine]:
    """Order lines priced from the catalog; unknown or unavailable skus are 422."""
    unknown = [item.sku for item in request.items if item.sku not in catalog]
    if unknown:
        raise UnprocessableError(f"unknown sku: {', '.join(unknown)}")
    unavailable = [item.sku for item in request.items if not catalog[item.sku].available]
    if unavailable:
        raise UnprocessableError(f"sku not available: {', '.join(unavailable)}")
    return [
        OrderLine(sku=item.sku, name=catalog[item.sku].name, quantity=item.quantity, unit_price=catalog[item.sku].price)
        for item in request.items
    ]


class OrderService:
    def __init__(
        self,
        *,
        orders: OrdersRepository,
        catalog: CatalogRepository,
        ids: UlidGenerator | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._orders = orders
        self._catalog = catalog
        self._ids = ids or UlidGenerator()
        self._now = now

    def menu(self) -> list[MenuItem]:
        return sorted_menu(self._catalog.scan_all())

    def place(self, principal: Principal, request: CreateOrderRequest, idempotency_key: str | None) -> PlacedOrder:
        body_hash = request_hash(request)
        if idempotency_key and (earlier := self._replay(principal, idempotency_key, body_hash)):
            return PlacedOrder(order=earlier, replayed=True)
        lines = priced_lines(request, self._catalog.get_many(item.sku for item in request.items))
        now = self._now()
        order = Order(
            order_id=self._ids.new(),
            customer_id=principal.subject,
            status=OrderStatus.RECEIVED,
            lines=lines,
            total=sum(line.quantity * line.unit_price for line in lines),
            created_at=iso_utc(now),
            updated_at=iso_utc(now),
            customer_name=principal.name,
            phone=principal.phone or None,
        )
        record = None
        if idempotency_key:
            expires_at = int((now + IDEMPOTENCY_TTL).timestamp())
            record = IdempotencyRecord(
                key=idempotency_key, request_hash=body_hash, order_id=order.order_id, expires_at=expires_at
            )
        try:
            self._orders.create(order, record, int(now.timestamp()))
        except IdempotencyKeyTakenError:
            # A concurrent request with the same key won the race: answer as it did.
            assert idempotency_key is not None
            earlier = self._replay(principal, idempotency_key, body_hash)
            if earlier is None:
                raise ConflictError("a request with this Idempotency-Key is in progress") from None
            return PlacedOrder(order=earlier, replayed=True)
        order_created(order.total)  # after the write; replays returned above and are not counted
        return PlacedOrder(order=order, replayed=False)

    def page(self, principal: Principal, limit: int, cursor: str | None) -> OrderPage:
        after = decode_cursor(cursor) if cursor else None
        orders, last = self._orders.page(principal.subject, limit, after)
        return OrderPage(items=orders, next_cursor=encode_cursor(last) if last else None)

    def get(self, principal: Principal, order_id: str) -> Order:
        return self._owned(principal.subject, order_id)

    def cancel(self, principal: Principal, order_id: str) -> Order:
        order = self._owned(principal.subject, order_id)
        if order.status is not OrderStatus.RECEIVED:
            raise ConflictError(f"order is {order.status.value}; only RECEIVED orders can be cancelled")
        return self._move(order, OrderStatus.CANCELLED, principal)

    def set_status(self, principal: Principal, order_id: str, request: StatusUpdateRequest) -> Order:
        if not principal.is_staff:
            raise ForbiddenError("staff role required")
        order = self._owned(request.customer_id, order_id)
        if not can_transition(order.status, request.status):
            raise ConflictError(f"cannot change status from {order.status.value} to {request.status.value}")
        return self._move(order, request.status, principal)

    def _owned(self, customer_id: str, order_id: str) -> Order:
        order = self._orders.get(customer_id, order_id) if is_ulid(order_id) else None
        if order is None:
            raise NotFoundError("order not found")
        return order

    def _move(self, order: Order, target: OrderStatus, principal: Principal) -> Order:
        """Moves ``order`` to ``target`` and records on it who did (the token's subject and role) and when."""
        now = iso_utc(self._now())
        change = StatusChange(status=target, by=principal.subject, role=principal.role, at=now)
        try:
            moved = self._orders.update_status(
                order.customer_id, order.order_id, expected=order.status, target=target, now=now, change=change
            )
        except StatusChangedError:
            raise ConflictError("order status changed concurrently; reload and retry") from None
        if target is OrderStatus.CANCELLED:
            order_cancelled()  # the customer's cancel and a staff member's alike, once the write succeeded
        return moved

    def _replay(self, principal: Principal, key: str, body_hash: str) -> Order | None:
        record = self._orders.get_idempotency(principal.subject, key)
        if record is None or record.is_expired(int(self._now().timestamp())):
            return None
        if record.request_hash != body_hash:
            raise ConflictError("Idempotency-Key was already used with a different request body")
        order = self._orders.get(principal.subject, record.order_id)
        if order is None:
            raise ConflictError("Idempotency-Key refers to a missing order")
        return order
