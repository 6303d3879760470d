"""Unit tests of the recommender run without AWS: the handler gets in-memory stores."""

from __future__ import annotations

import pytest

from lambdas.recommendation import service
from lambdas.recommendation.memory import MemoryStatsStore
from lambdas.recommendation.models import CatalogItem


class StaticCatalog:
    def __init__(self, items: list[CatalogItem]) -> None:
        self._items = {item.sku: item for item in items}

    def items(self) -> dict[str, CatalogItem]:
        return self._items


@pytest.fixture
def memory_recommender(monkeypatch: pytest.MonkeyPatch) -> service.Recommender:
    """The process-wide recommender replaced by one over an empty in-memory store and a three-item menu."""
    catalog = StaticCatalog(
        [
            CatalogItem(sku="BRD-001", name="Soboro Bread", name_ko="소보로빵"),
            CatalogItem(sku="DRK-001", name="Americano", name_ko="아메리카노"),
            CatalogItem(sku="CKE-006", name="Mango Cream Cake", name_ko="망고 생크림케이크", available=False),
        ]
    )
    recommender = service.Recommender(store=MemoryStatsStore(), catalog=catalog)
    monkeypatch.setattr(service, "default_recommender", lambda: recommender)
    return recommender
