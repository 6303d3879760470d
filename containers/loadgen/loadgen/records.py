"""What a simulated customer was told, one record per signup, order attempt or cancellation.

Workers ship each record to the master as a Locust custom message the moment the task that made it ends; the master
writes them, one JSON object a line, to ``records.jsonl`` in the load directory for the reconciliation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_TYPE = "tlj_load_record"
NO_ANSWER = 0  # Locust's status code when no response came back (timeout, connection refused or reset)


@dataclass(frozen=True, kw_only=True)
class CustomerRecord:
    customer_id: str


@dataclass(frozen=True, kw_only=True)
class OrderAttempt:
    """One order with its ``Idempotency-Key``: the status of every try and each order id an answer named."""

    customer_id: str
    key: str
    statuses: tuple[int, ...]
    order_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CancelAttempt:
    customer_id: str
    order_id: str
    statuses: tuple[int, ...]

    @property
    def confirmed(self) -> bool:
        return 200 in self.statuses

    @property
    def uncertain(self) -> bool:
        """No confirmation, but a try may have reached the service (no answer, or a 5xx from the gateway)."""
        return not self.confirmed and any(status == NO_ANSWER or status >= 500 for status in self.statuses)


Record = CustomerRecord | OrderAttempt | CancelAttempt


def to_dict(record: Record) -> dict[str, Any]:
    if isinstance(record, CustomerRecord):
        return {"kind": "customer", "customer_id": record.customer_id}
    if isinstance(record, OrderAttempt):
        return {
            "kind": "order",
            "customer_id": record.customer_id,
            "key": record.key,
            "statuses": list(record.statuses),
            "order_ids": list(record.order_ids),
        }
    return {
        "kind": "cancel",
        "customer_id": record.customer_id,
        "order_id": record.order_id,
        "statuses": list(record.statuses),
    }


def from_dict(data: Mapping[str, Any]) -> Record:
    kind = data.get("kind")
    if kind == "customer":
        return CustomerRecord(customer_id=str(data["customer_id"]))
    if kind == "order":
        return OrderAttempt(
            customer_id=str(data["customer_id"]),
            key=str(data["key"]),
            statuses=tuple(int(status) for status in data["statuses"]),
            order_ids=tuple(str(order_id) for order_id in data["order_ids"]),
        )
    if kind == "cancel":
        return CancelAttempt(
            customer_id=str(data["customer_id"]),
            order_id=str(data["order_id"]),
            statuses=tuple(int(status) for status in data["statuses"]),
        )
    raise ValueError(f"not a load record: {dict(data)!r}")


def parse_all(rows: Iterable[Mapping[str, Any]]) -> list[Record]:
    return [from_dict(row) for row in rows]
