"""Nothing lost, nothing doubled: what the clients were told against what the Orders table holds.

- every order id an answer named exists in the table (else it is **lost**);
- no order exists for this run's customers that no answer named (else it is **duplicated**: typically a retry that
  created a second order instead of replaying the first), and no key was answered with two different orders;
- an order whose every try went unanswered may or may not exist; if it does, and the table's record for its
  ``Idempotency-Key`` points at it, it is **unconfirmed** (the client sent it and never heard back), not a duplicate;
- an order a client was told is cancelled is CANCELLED in the table, and a CANCELLED order was asked to be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from loadgen.records import CancelAttempt, CustomerRecord, OrderAttempt, Record

CANCELLED = "CANCELLED"
MAX_PROBLEMS = 20


@dataclass(frozen=True, kw_only=True)
class TableState:
    """One customer's partition of the Orders table: status by order id, and order id by idempotency key."""

    orders: Mapping[str, str] = field(default_factory=dict)
    keys: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Reconciliation:
    customers: int
    orders_created: int
    orders_found: int
    orders_lost: int
    orders_duplicated: int
    orders_unconfirmed: int
    cancellations_confirmed: int
    cancellations_mismatched: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.orders_lost or self.orders_duplicated or self.cancellations_mismatched)


@dataclass
class _Tally:
    found: int = 0
    lost: int = 0
    duplicated: int = 0
    unconfirmed: int = 0
    cancelled: int = 0
    mismatched: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def customers_of(records: Iterable[Record]) -> list[str]:
    """Every customer the run created or acted for, in first-seen order."""
    return list(dict.fromkeys(record.customer_id for record in records))


def reconcile(records: Iterable[Record], tables: Mapping[str, TableState]) -> Reconciliation:
    records = list(records)
    attempts = [record for record in records if isinstance(record, OrderAttempt)]
    cancels = [record for record in records if isinstance(record, CancelAttempt)]
    tally = _Tally()
    told: dict[str, set[str]] = defaultdict(set)
    unanswered: dict[str, set[str]] = defaultdict(set)
    for attempt in attempts:
        ids = list(dict.fromkeys(attempt.order_ids))
        if len(ids) > 1:
            tally.duplicated += len(ids) - 1
            tally.problem(f"Idempotency-Key {attempt.key} was answered with different orders: {', '.join(ids)}")
        told[attempt.customer_id].update(ids)
        if not ids:
            unanswered[attempt.customer_id].add(attempt.key)
    customers = customers_of(records)
    for customer in customers:
        _orders(customer, told[customer], unanswered[customer], tables.get(customer, TableState()), tally)
    _cancellations(cancels, tables, tally)
    return Reconciliation(
        customers=sum(1 for record in records if isinstance(record, CustomerRecord)),
        orders_created=sum(len(ids) for ids in told.values()),
        orders_found=tally.found,
        orders_lost=tally.lost,
        orders_duplicated=tally.duplicated,
        orders_unconfirmed=tally.unconfirmed,
        cancellations_confirmed=tally.cancelled,
        cancellations_mismatched=tally.mismatched,
        problems=tuple(tally.problems),
    )


def _orders(customer: str, told: set[str], unanswered: set[str], table: TableState, tally: _Tally) -> None:
    stored = set(table.orders)
    tally.found += len(told & stored)
    for order_id in sorted(told - stored):
        tally.lost += 1
        tally.problem(f"order {order_id} of customer {customer} was confirmed to its client but is not in the table")
    sent_unanswered = {table.keys[key] for key in unanswered if key in table.keys}
    for order_id in sorted(stored - told):
        if order_id in sent_unanswered:
            tally.unconfirmed += 1
        else:
            tally.duplicated += 1
            tally.problem(f"order {order_id} of customer {customer} is in the table but no client was told about it")


def _cancellations(cancels: list[CancelAttempt], tables: Mapping[str, TableState], tally: _Tally) -> None:
    confirmed: dict[str, set[str]] = defaultdict(set)
    uncertain: dict[str, set[str]] = defaultdict(set)
    for cancel in cancels:
        if cancel.confirmed:
            confirmed[cancel.customer_id].add(cancel.order_id)
        elif cancel.uncertain:
            uncertain[cancel.customer_id].add(cancel.order_id)
    for customer, table in tables.items():
        for order_id, status in sorted(table.orders.items()):
            if order_id in confirmed[customer]:
                if status == CANCELLED:
                    tally.cancelled += 1
                else:
                    tally.mismatched += 1
                    tally.problem(f"order {order_id} was confirmed cancelled to its client but is {status}")
            elif status == CANCELLED and order_id not in uncertain[customer]:
                tally.mismatched += 1
                tally.problem(f"order {order_id} is CANCELLED but no client's cancellation was confirmed or pending")
