"""Order endpoints; every one needs a valid bearer token. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response

from order_service.dependencies import OrderServiceDep, PrincipalDep
from order_service.models import (
    IDEMPOTENCY_KEY_PATTERN,
    CreateOrderRequest,
    Order,
    OrderPage,
    StatusUpdateRequest,
)

_errors: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid token"},
    404: {"description": "no such order for this customer"},
    409: {"description": "conflict (status machine, idempotency key)"},
    503: {"description": "signing keys unavailable"},
}
router = APIRouter(prefix="/orders", tags=["orders"], responses=_errors)
OrderId = Annotated[str, Path(max_length=64)]


@router.post("", status_code=201)
def create_order(
    body: CreateOrderRequest,
    response: Response,
    principal: PrincipalDep,
    service: OrderServiceDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY_PATTERN)] = None,
) -> Order:
    """Places an order priced from the catalog. A repeated Idempotency-Key with the same body replays it."""
    placed = service.place(principal, body, idempotency_key)
    if placed.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return placed.order


@router.get("")
def list_orders(
    principal: PrincipalDep,
    service: OrderServiceDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> OrderPage:
    """The caller's orders, newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
    return service.page(principal, limit, cursor)


@router.get("/{order_id}")
def get_order(order_id: OrderId, principal: PrincipalDep, service: OrderServiceDep) -> Order:
    return service.get(principal, order_id)


@router.post("/{order_id}/cancel")
def cancel_order(order_id: OrderId, principal: PrincipalDep, service: OrderServiceDep) -> Order:
    """Cancels the caller's order; only a RECEIVED order can be cancelled (else 409)."""
    return service.cancel(principal, order_id)


@router.patch("/{order_id}/status", responses={403: {"description": "staff role required"}})
def set_order_status(
    order_id: OrderId, body: StatusUpdateRequest, principal: PrincipalDep, service: OrderServiceDep
) -> Order:
    """Staff only: moves the order of ``customer_id`` along the status machine."""
    return service.set_status(principal, order_id, body)
