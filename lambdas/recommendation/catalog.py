"""The Catalog table, read for names and availability (all its AWS access)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from lambdas.recommendation.models import CatalogItem
from lambdas.shared.dynamodb import from_item, query_all


class DynamoCatalog:
    """The Catalog table, read with a Scan (a menu is small) and cached for ``ttl_seconds``."""

    def __init__(self, client: Any, table: str, *, ttl_seconds: float, clock: Any = time.monotonic) -> None:
        self._client = client
        self._table = table
        self._ttl = ttl_seconds
        self._clock = clock
        self._items: dict[str, CatalogItem] | None = None
        self._read_at = 0.0

    def items(self) -> Mapping[str, CatalogItem]:
        now = self._clock()
        if self._items is None or now - self._read_at >= self._ttl:
            self._items = {item.sku: item for item in self._scan()}
            self._read_at = now
        return self._items

    def _scan(self) -> list[CatalogItem]:
        result = []
        for raw in query_all(self._client, scan=True, TableName=self._table):
            item = from_item(raw)
            result.append(
                CatalogItem(
                    sku=str(item["sku"]),
                    name=str(item.get("name") or item["sku"]),
                    name_ko=str(item["name_ko"]) if item.get("name_ko") else None,
                    available=item.get("available", True) is not False,
                )
            )
        return result
