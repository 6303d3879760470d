"""Orders-stream records -> changes of the statistics (no AWS)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from lambdas.recommendation.updates import MalformedOrderError, changes_for, order_from_image

ZONE = "Asia/Seoul"


def order(status: str = "RECEIVED", **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": "c1",
        "order_id": "01JQ0000000000000000000000",
        "status": status,
        "lines": [
            {"sku": "BRD-001", "name": "Soboro Bread", "quantity": Decimal(2), "unit_price": Decimal(2300)},
            {"sku": "DRK-001", "name": "Americano", "quantity": Decimal(1), "unit_price": Decimal(3800)},
        ],
        "total": Decimal(8400),
        "created_at": "2025-03-02T23:30:00Z",  # 08:30 on Monday in Seoul
        "phone": "+821012345678",
        **extra,
    }


def test_an_inserted_order_is_added_once_under_its_own_scope() -> None:
    (change,) = changes_for("INSERT", None, order(), zone=ZONE)
    assert change.scope == "order#c1#01JQ0000000000000000000000"
    assert change.sign == 1
    assert change.deltas[("ITEM", "BRD-001")] == {"n": 1, "morning": 1, "weekday": 1}
    assert change.deltas[("PAIR#BRD-001", "DRK-001")] == {"n": 1}
    assert change.deltas[("CUST#c1", "DRK-001")] == {"n": 1}


def test_idempotency_records_are_not_orders() -> None:
    record = {"customer_id": "c1", "order_id": "idem#key-1", "request_hash": "x", "expires_at": Decimal(1)}
    assert order_from_image(record, ZONE) is None
    assert changes_for("INSERT", None, record, zone=ZONE) == []
    assert changes_for("REMOVE", record, None, zone=ZONE) == []


@pytest.mark.parametrize(("before", "after"), [("RECEIVED", "BAKING"), ("BAKING", "READY"), ("READY", "PICKED_UP")])
def test_status_moves_change_nothing(before: str, after: str) -> None:
    assert changes_for("MODIFY", order(before), order(after), zone=ZONE) == []


def test_a_cancellation_withdraws_exactly_what_the_insert_added() -> None:
    (added,) = changes_for("INSERT", None, order(), zone=ZONE)
    (withdrawn,) = changes_for("MODIFY", order("RECEIVED"), order("CANCELLED"), zone=ZONE)
    assert (withdrawn.scope, withdrawn.sign, withdrawn.deltas) == (added.scope, -1, added.deltas)


def test_an_order_inserted_cancelled_counts_for_nothing() -> None:
    assert changes_for("INSERT", None, order("CANCELLED"), zone=ZONE) == []
    assert changes_for("REMOVE", order("CANCELLED"), None, zone=ZONE) == []


def test_a_deletion_by_ttl_keeps_the_history_but_a_deletion_by_someone_withdraws_it() -> None:
    assert changes_for("REMOVE", order(), None, zone=ZONE, removed_by="dynamodb.amazonaws.com") == []
    (withdrawn,) = changes_for("REMOVE", order(), None, zone=ZONE, removed_by=None)
    assert withdrawn.sign == -1


@pytest.mark.parametrize(
    "broken",
    [
        {"lines": "BRD-001"},
        {"lines": [{"quantity": 1}]},
        {"created_at": "not a time"},
        {"lines": [{"sku": "#ORDERS"}]},
        {"status": None, "customer_id": None, "lines": None},
    ],
)
def test_an_unreadable_order_is_a_poison_record(broken: dict[str, Any]) -> None:
    with pytest.raises(MalformedOrderError):
        changes_for("INSERT", None, order(**broken), zone=ZONE)


def test_the_order_time_is_store_local() -> None:
    parsed = order_from_image(order(), ZONE)
    assert parsed is not None
    assert parsed.basket.at == datetime(2025, 3, 3, 8, 30)
