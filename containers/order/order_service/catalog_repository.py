"""All DynamoDB access to the Catalog table."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from cachetools import TTLCache, cachedmethod

from order_service.models import MenuItem
from service_kit.aws import from_item, to_item

_log = logging.getLogger(__name__)
_BATCH_GET_LIMIT = 100
_BATCH_GET_ATTEMPTS = 5


class CatalogRepository:
    """``scan_all`` (the menu) is kept in process for ``menu_ttl_seconds`` (0: not kept); ``get_many`` (the prices
    of an order being placed) always reads the table."""

    def __init__(
        self, client: Any, table: str, *, menu_ttl_seconds: float = 0, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._table = table
        self._scans: TTLCache[Any, list[MenuItem]] = TTLCache(maxsize=4, ttl=menu_ttl_seconds, timer=timer)
        # cachetools holds it around cache access and makes concurrent misses wait for the one Scan in flight.
        self._scans_lock = threading.Condition()

    @cachedmethod(lambda self: self._scans, condition=lambda self: self._scans_lock)
    def scan_all(self, page_size: int | None = None) -> list[MenuItem]:
        """Every catalog item, following the scan's pages to the end (cached: callers must not mutate it)."""
        items: list[MenuItem] = []
        pages = self._client.get_paginator("scan").paginate(
            TableName=self._table, PaginationConfig={"PageSize": page_size} if page_size else {}
        )
        for page in pages:
            items.extend(_parsed(page.get("Items", [])))
        return items

    def get_many(self, skus: Iterable[str]) -> dict[str, MenuItem]:
        """The catalog items among ``skus``, by sku (unknown skus are simply absent)."""
        wanted = sorted(set(skus))
        found: dict[str, MenuItem] = {}
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            keys = [to_item({"sku": sku}) for sku in wanted[start : start + _BATCH_GET_LIMIT]]
            for item in _parsed(self._batch_get(keys)):
                found[item.sku] = item
        return found

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
        items: list[dict[str, Any]] = []
        for attempt in range(_BATCH_GET_ATTEMPTS):
            response = self._client.batch_get_item(RequestItems=request)
            items.extend(response.get("Responses", {}).get(self._table, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return items
            time.sleep(0.05 * 2**attempt)
        raise RuntimeError("catalog batch get left unprocessed keys")


def _parsed(raw_items: Iterable[Mapping[str, Any]]) -> list[MenuItem]:
    items = []
    for raw in raw_items:
        item = menu_item(from_item(raw))
        if item is None:
            _log.warning("skipping malformed catalog item", extra={"sku": str(raw.get("sku"))})
        else:
            items.append(item)
    return items


def menu_item(values: Mapping[str, Any]) -> MenuItem | None:
    """A catalog item, or ``None`` if it has no sku or no integral, non-negative price."""
    sku, price = values.get("sku"), values.get("price")
    if not isinstance(sku, str) or not isinstance(price, Decimal) or price != price.to_integral_value() or price < 0:
        return None
    return MenuItem(
        sku=sku,
        name=str(values.get("name") or sku),
        name_ko=str(values["name_ko"]) if values.get("name_ko") else None,
        price=int(price),
        category=str(values.get("category") or ""),
        available=values.get("available", True) is True,
    )
