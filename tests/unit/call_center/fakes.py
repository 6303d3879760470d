"""In-memory stand-ins for the call center's ports (no AWS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lambdas.call_center.logic import CustomerSummary, OrderSummary


@dataclass
class FakeDirectory:
    orders: dict[str, OrderSummary] = field(default_factory=dict)  # phone -> latest order
    registered: dict[str, list[CustomerSummary]] = field(default_factory=dict)
    customers_error: Exception | None = None
    orders_error: Exception | None = None
    calls: list[str] = field(default_factory=list)

    def latest_order(self, phone: str) -> OrderSummary | None:
        self.calls.append(f"orders:{phone}")
        if self.orders_error:
            raise self.orders_error
        return self.orders.get(phone)

    def customers(self, phone: str, limit: int) -> list[CustomerSummary]:
        self.calls.append(f"customers:{phone}")
        if self.customers_error:
            raise self.customers_error
        return self.registered.get(phone, [])[:limit]


@dataclass
class FakeRecommendations:
    names_: list[str] = field(default_factory=lambda: ["크루아상", "아메리카노"])
    error: Exception | None = None
    asked: list[str | None] = field(default_factory=list)

    def names(self, *, customer_id: str | None, lang: str, at: datetime, k: int) -> list[str]:
        self.asked.append(customer_id)
        if self.error:
            raise self.error
        return self.names_[:k]
