"""Reading order history CSV: several rows per order, point-of-sale column names, bad rows skipped."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from lambdas.recommendation.transactions import parse_rows

ZONE = "Asia/Seoul"


def rows(text: str) -> csv.DictReader[str]:
    return csv.DictReader(io.StringIO(text.strip() + "\n"))


def test_rows_of_one_order_form_one_basket_at_its_earliest_time_and_repeats_count_once() -> None:
    history = parse_rows(
        rows(
            """
order_id,sku,timestamp
10,Coffee,2025-03-03T09:00:05
10,Bread,2025-03-03T09:00:00
10,Coffee,2025-03-03T09:00:05
9,Tea,2025-03-03T10:00:00
"""
        ),
        ZONE,
    )
    assert [(order_id, sorted(b.skus), b.at) for order_id, b in history.orders] == [
        ("10", ["Bread", "Coffee"], datetime(2025, 3, 3, 9, 0)),
        ("9", ["Tea"], datetime(2025, 3, 3, 10, 0)),
    ]
    assert (history.rows, history.skipped_rows) == (4, 0)


def test_the_public_bakery_dataset_columns_are_understood() -> None:
    history = parse_rows(
        rows(
            """
TransactionNo,Items,DateTime,Daypart,DayType
1,Bread,2016-10-30 09:58:11,Morning,Weekend
2,Scandinavian,2016-10-30 10:05:34,Morning,Weekend
2,Scandinavian,2016-10-30 10:05:34,Morning,Weekend
"""
        ),
        ZONE,
    )
    assert [(o, sorted(b.skus)) for o, b in history.orders] == [("1", ["Bread"]), ("2", ["Scandinavian"])]


def test_separate_date_and_time_columns_are_joined() -> None:
    history = parse_rows(rows("Date,Time,Transaction,Item\n2016-10-30,09:58:11,1,Bread"), ZONE)
    ((order_id, basket),) = history.orders
    assert (order_id, basket.at) == ("1", datetime(2016, 10, 30, 9, 58, 11))


def test_aware_timestamps_become_store_local_and_bad_rows_are_skipped() -> None:
    history = parse_rows(
        rows(
            """
order_id,sku,timestamp
1,A,2025-03-02T23:00:00Z
2,,2025-03-03T09:00:00
3,B,whenever
,C,2025-03-03T09:00:00
4,#TOTAL,2025-03-03T09:00:00
"""
        ),
        ZONE,
    )
    assert [(o, b.at) for o, b in history.orders] == [("1", datetime(2025, 3, 3, 8, 0))]
    assert history.skipped_rows == 4


def test_orders_at_the_same_time_sort_by_numeric_id() -> None:
    history = parse_rows(rows("order_id,sku,timestamp\n10,A,2025-01-01T09:00\n9,B,2025-01-01T09:00"), ZONE)
    assert [o for o, _ in history.orders] == ["9", "10"]
