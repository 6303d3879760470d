"""Reading order history from CSV (``order_id,sku,timestamp``, one row per item) for ``ingest`` and ``evaluate``.

Several rows per order are one basket (a repeated sku is one item: the model counts orders, not units); the
order's time is its earliest row. Point-of-sale exports name the columns differently, so a few aliases are
understood, e.g. the public "Bakery" dataset's ``TransactionNo,Items,DateTime`` and separate ``Date``/``Time``
columns. Naive timestamps are store-local time; aware ones are converted to the store's zone. Rows whose item is a
placeholder for "no item" (``NONE``, ``NULL``, ``NaN``, ``N/A``; the older "BreadBasket_DMS.csv" export of the
Bakery data has 786 ``NONE`` rows) are skipped like invalid rows: they are no product anyone bought.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lambdas.recommendation.context import local_time
from lambdas.recommendation.models import Basket, valid_sku

_ALIASES = {
    "order_id": ("order_id", "transactionno", "transaction_no", "transaction", "invoiceno", "invoice"),
    "sku": ("sku", "items", "item", "product", "stockcode"),
    "timestamp": ("timestamp", "datetime", "date_time", "invoicedate", "created_at"),
}
_PLACEHOLDERS = frozenset({"none", "null", "nan", "n/a"})
_FALLBACK_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


@dataclass(kw_only=True)
class History:
    """Baskets in time order (ties by order id), and what was skipped while reading."""

    orders: list[tuple[str, Basket]] = field(default_factory=list)
    rows: int = 0
    skipped_rows: int = 0
    digest: str = ""


def read_history(path: Path, zone: str) -> History:
    raw = path.read_bytes()
    history = parse_rows(csv.DictReader(raw.decode("utf-8-sig").splitlines()), zone)
    history.digest = hashlib.sha256(raw).hexdigest()[:16]
    return history


def parse_rows(rows: Iterable[dict[str, str]], zone: str) -> History:
    history = History()
    skus: dict[str, set[str]] = {}
    times: dict[str, datetime] = {}
    for row in _normalised(rows):
        history.rows += 1
        order_id, sku = row.get("order_id", "").strip(), row.get("sku", "").strip()
        at = _timestamp(row.get("timestamp", ""), zone)
        if not order_id or not valid_sku(sku) or sku.lower() in _PLACEHOLDERS or at is None:
            history.skipped_rows += 1
            continue
        skus.setdefault(order_id, set()).add(sku)
        times[order_id] = min(times.get(order_id, at), at)
    ordered = sorted(skus, key=lambda order_id: (times[order_id], _natural(order_id)))
    history.orders = [(order_id, Basket(skus=frozenset(skus[order_id]), at=times[order_id])) for order_id in ordered]
    return history


def _normalised(rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
    for row in rows:
        lowered = {str(k).strip().lower(): (v or "") for k, v in row.items() if k is not None}
        result = {}
        for name, aliases in _ALIASES.items():
            result[name] = next((lowered[a] for a in aliases if a in lowered), "")
        if not result["timestamp"] and "date" in lowered:
            result["timestamp"] = f"{lowered['date']} {lowered.get('time', '00:00')}".strip()
        yield result


def _timestamp(text: str, zone: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        return local_time(datetime.fromisoformat(text), zone)
    except ValueError:
        pass
    for pattern in _FALLBACK_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _natural(order_id: str) -> tuple[int, str]:
    """Numeric order ids sort as numbers ("9" before "10"), others as text."""
    return (int(order_id), "") if order_id.isdigit() else (1 << 62, order_id)
