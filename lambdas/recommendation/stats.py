"""What the model counts, and where: the statistics' key layout, an order's contribution, and the read view.

Every statistic is a counter under (partition, sort key, attribute), updated with atomic ADDs:

=====================  ================  ======================================================================
partition              sort key          attributes
=====================  ================  ======================================================================
``ITEM``               sku               ``n`` orders with the sku; one counter per day part and per day type
``TOTAL``              ``#ORDERS``       the same counters over all orders
``PAIR#<sku>``         other sku         ``n`` orders with both (stored in both directions)
``CUST#<customer>``    sku / ``#ORDERS`` ``n`` the customer's orders with the sku / all their orders
=====================  ================  ======================================================================

A request reads ``ITEM``, ``TOTAL``, one ``PAIR#`` partition per basket item (at most ``MAX_PAIR_READS``) and
the customer's partition: a handful of queries, never a scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lambdas.recommendation.context import daypart, daytype
from lambdas.recommendation.models import Basket, Counts, Deltas

ITEMS = "ITEM"
TOTALS = "TOTAL"
ORDERS = "#ORDERS"
COUNT = "n"
MAX_PAIR_READS = 10  # basket items whose co-purchases are read; real baskets are far smaller


def pair_partition(sku: str) -> str:
    return f"PAIR#{sku}"


def customer_partition(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def contribution(basket: Basket) -> Deltas:
    """The counters one order adds: its items, its time context, its pairs and its customer's history."""
    context = {COUNT: 1, daypart(basket.at): 1, daytype(basket.at): 1}
    deltas: Deltas = {(TOTALS, ORDERS): dict(context)}
    skus = sorted(basket.skus)
    for sku in skus:
        deltas[(ITEMS, sku)] = dict(context)
        for other in skus:
            if other != sku:
                deltas[(pair_partition(sku), other)] = {COUNT: 1}
    if basket.customer_id:
        partition = customer_partition(basket.customer_id)
        deltas[(partition, ORDERS)] = {COUNT: 1}
        for sku in skus:
            deltas[(partition, sku)] = {COUNT: 1}
    return deltas


def merge(into: Deltas, deltas: Deltas, sign: int = 1) -> Deltas:
    """Add ``sign * deltas`` into ``into`` (used to batch many orders into one set of updates)."""
    for key, attributes in deltas.items():
        target = into.setdefault(key, {})
        for name, value in attributes.items():
            target[name] = target.get(name, 0) + sign * value
    return into


def is_shared(partition: str) -> bool:
    """The same for every customer: overall popularity and co-purchases (a customer's history is not)."""
    return partition in (ITEMS, TOTALS) or partition.startswith("PAIR#")


def partitions_to_read(basket: Sequence[str], customer_id: str | None) -> list[str]:
    partitions = [ITEMS, TOTALS] + [pair_partition(sku) for sku in basket[:MAX_PAIR_READS]]
    if customer_id:
        partitions.append(customer_partition(customer_id))
    return partitions


@dataclass(frozen=True, kw_only=True)
class Stats:
    """The counters one request needs, read from a store."""

    totals: dict[str, int] = field(default_factory=dict)
    items: dict[str, dict[str, int]] = field(default_factory=dict)
    pairs: dict[str, dict[str, int]] = field(default_factory=dict)  # basket sku -> other sku -> orders with both
    customer: dict[str, int] = field(default_factory=dict)
    customer_orders: int = 0

    @classmethod
    def from_counts(cls, counts: Counts, basket: Iterable[str], customer_id: str | None) -> Stats:
        items = {sku: dict(attrs) for sku, attrs in counts.get(ITEMS, {}).items() if attrs.get(COUNT, 0) > 0}
        pairs = {
            sku: {other: attrs.get(COUNT, 0) for other, attrs in counts.get(pair_partition(sku), {}).items()}
            for sku in basket
        }
        customer: dict[str, int] = {}
        customer_orders = 0
        if customer_id:
            history = counts.get(customer_partition(customer_id), {})
            customer_orders = history.get(ORDERS, {}).get(COUNT, 0)
            customer = {sku: a.get(COUNT, 0) for sku, a in history.items() if sku != ORDERS and a.get(COUNT, 0) > 0}
        return cls(
            totals=dict(counts.get(TOTALS, {}).get(ORDERS, {})),
            items=items,
            pairs={sku: {o: n for o, n in others.items() if n > 0} for sku, others in pairs.items()},
            customer=customer,
            customer_orders=customer_orders,
        )
