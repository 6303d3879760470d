"""What a pricer sees: the price table, the usage assumptions, the whole template and the environment's pods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stacks.cost.model import Charge, Line, PriceTable, Usage
from stacks.cost.workloads import Workloads

DAYS_PER_MONTH = 730 / 24  # 30.42, the month the hourly prices use


def amount(value: float) -> str:
    """A quantity for a basis: no trailing zeros, thousands separated."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def money(value: float) -> str:
    """A unit price: as many decimals as it has (Lambda's GB-second is $0.0000133334), no trailing zeros."""
    return "$" + (f"{value:,.10f}".rstrip("0").rstrip(".") if value else "0")


@dataclass
class Context:
    prices: PriceTable
    usage: Usage
    resources: dict[str, dict[str, Any]]
    load_workloads: Callable[[], Workloads]
    _workloads: Workloads | None = field(default=None, init=False)

    @property
    def hours(self) -> float:
        return self.prices.hours_per_month

    @property
    def workloads(self) -> Workloads:
        if self._workloads is None:
            self._workloads = self.load_workloads()
        return self._workloads

    def charge(self, quantity: float, label: str, key: str, *, per: float = 1.0) -> Charge:
        """``quantity`` (described by ``label``) at price ``key``, which is for ``per`` units (its unit says so)."""
        price = self.prices.price(key)
        usd = quantity / per * price.usd
        return Charge(usd=usd, basis=f"{amount(quantity)} {label} x {money(price.usd)}/{price.unit}", price=key)

    def hourly(self, count: float, what: str, key: str, *, show_count: bool = False) -> Charge:
        """``count`` things billed every hour of the month (the count is shown when not 1, or when asked)."""
        price = self.prices.price(key)
        quantity = count * self.hours
        shown = count != 1 or show_count
        label = f"{amount(count)} {what} x {amount(self.hours)} h" if shown else f"{amount(self.hours)} h"
        return Charge(usd=quantity * price.usd, basis=f"{label} x {money(price.usd)}/h", price=key)

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") == kind}


def line(logical_id: str, kind_of_resource: str, name: str, kind: str, category: str, *charges: Charge) -> Line:
    return Line(logical_id=logical_id, type=kind_of_resource, name=name, kind=kind, category=category, charges=charges)


def refs(value: Any) -> set[str]:
    """Logical ids a property refers to (Ref and Fn::GetAtt), anywhere inside it."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        for item in value.values():
            found |= refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= refs(item)
    return found
