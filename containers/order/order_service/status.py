"""The order status machine: RECEIVED -> BAKING -> READY -> PICKED_UP; RECEIVED -> CANCELLED."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    BAKING = "BAKING"
    READY = "READY"
    PICKED_UP = "PICKED_UP"
    CANCELLED = "CANCELLED"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset({OrderStatus.BAKING, OrderStatus.CANCELLED}),
    OrderStatus.BAKING: frozenset({OrderStatus.READY}),
    OrderStatus.READY: frozenset({OrderStatus.PICKED_UP}),
    OrderStatus.PICKED_UP: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]
