"""From an Orders-stream record to changes of the statistics (pure: no AWS).

An order counts while it has lines and is not CANCELLED. A record whose new image counts and whose old one did
not (an insert) adds the order; one whose old image counted and whose new one does not (a cancellation, or a
deletion) withdraws it. Status moves (RECEIVED -> BAKING -> ...) change nothing. Idempotency records
(``order_id`` ``idem#...``, no lines) share the table and are skipped. A deletion by DynamoDB's TTL keeps the
order's statistics: the order aged out, it still happened; a deletion by anyone else withdraws it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lambdas.recommendation.context import local_time
from lambdas.recommendation.models import Basket, Change, valid_sku
from lambdas.recommendation.stats import contribution

IDEMPOTENCY_PREFIX = "idem#"
CANCELLED = "CANCELLED"
TTL_PRINCIPAL = "dynamodb.amazonaws.com"


class MalformedOrderError(ValueError):
    """The image claims to be an order but cannot be read as one (a poison record)."""


@dataclass(frozen=True, kw_only=True)
class OrderImage:
    customer_id: str
    order_id: str
    status: str
    basket: Basket

    @property
    def counts(self) -> bool:
        return self.status != CANCELLED and bool(self.basket.skus)

    @property
    def scope(self) -> str:
        return f"order#{self.customer_id}#{self.order_id}"


def order_from_image(image: Mapping[str, Any] | None, zone: str) -> OrderImage | None:
    """The order in a stream image, or None for no image or an idempotency record."""
    if not image or str(image.get("order_id", "")).startswith(IDEMPOTENCY_PREFIX) or "lines" not in image:
        return None
    try:
        lines = image["lines"]
        skus = frozenset(str(line["sku"]) for line in lines)
        created = datetime.fromisoformat(str(image["created_at"]))
        order = OrderImage(
            customer_id=str(image["customer_id"]),
            order_id=str(image["order_id"]),
            status=str(image["status"]),
            basket=Basket(skus=skus, at=local_time(created, zone), customer_id=str(image["customer_id"])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedOrderError(f"not an order image: {error!r}") from error
    bad = sorted(sku for sku in skus if not valid_sku(sku))
    if bad or not isinstance(lines, list):
        raise MalformedOrderError(f"order {order.order_id} has invalid lines: {bad or type(lines).__name__}")
    return order


def changes_for(
    event_name: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    zone: str,
    removed_by: str | None = None,
) -> list[Change]:
    """What one stream record changes: nothing, one add, or one withdrawal."""
    before, after = order_from_image(old, zone), order_from_image(new, zone)
    if event_name == "REMOVE" and removed_by == TTL_PRINCIPAL:
        return []
    counted_before = before is not None and before.counts
    counted_after = after is not None and after.counts
    if after is not None and counted_after and not counted_before:
        return [Change(scope=after.scope, sign=1, deltas=contribution(after.basket))]
    if before is not None and counted_before and not counted_after:
        return [Change(scope=before.scope, sign=-1, deltas=contribution(before.basket))]
    return []
