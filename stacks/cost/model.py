"""The estimate's data: prices, usage assumptions, charges and lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIXED = "fixed"  # paid while the stack exists, whatever the traffic
USAGE = "usage"  # grows with the assumed traffic, data and people


class CostError(Exception):
    """The estimate cannot be made (a missing file, a missing assumption, a malformed price)."""


@dataclass(frozen=True, kw_only=True)
class Price:
    key: str
    usd: float
    unit: str
    source: str
    read: str
    confirmed: bool
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class PriceTable:
    region: str
    as_of: str
    hours_per_month: float
    prices: dict[str, Price]
    free: dict[str, str]  # resource type -> why it costs nothing
    path: str = ""

    def price(self, key: str) -> Price:
        if key not in self.prices:
            raise CostError(f"price {key!r} is not in {self.path or 'the price table'}")
        return self.prices[key]


@dataclass(frozen=True)
class Usage:
    """One environment's assumptions; a missing key is an error naming the file, never a silent zero."""

    values: dict[str, Any]
    path: str = ""

    def get(self, *keys: str) -> Any:
        node: Any = self.values
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                raise CostError(f"usage assumption {'.'.join(keys)!r} is missing from {self.path or 'the usage file'}")
            node = node[key]
        return node

    def number(self, *keys: str) -> float:
        value = self.get(*keys)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise CostError(f"usage assumption {'.'.join(keys)!r} in {self.path} must be a number >= 0, got {value!r}")
        return float(value)

    def for_resource(self, section: str, logical_id: str) -> dict[str, Any]:
        """The entry of ``section`` whose key prefixes the logical id (the longest wins), else its ``default``."""
        entries = self.get(section)
        matches = [key for key in entries if key != "default" and logical_id.startswith(key)]
        chosen = max(matches, key=len) if matches else "default"
        if chosen not in entries:
            raise CostError(f"usage section {section!r} in {self.path} has no entry for {logical_id} and no default")
        return dict(entries[chosen])


@dataclass(frozen=True, kw_only=True)
class Charge:
    usd: float
    basis: str
    price: str  # the price key


@dataclass(frozen=True, kw_only=True)
class Line:
    logical_id: str
    type: str
    name: str
    kind: str  # FIXED or USAGE
    category: str
    charges: tuple[Charge, ...]

    @property
    def monthly_usd(self) -> float:
        return round(sum((charge.usd for charge in self.charges), 0.0), 2)

    @property
    def basis(self) -> str:
        return " + ".join(charge.basis for charge in self.charges)

    def as_json(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "type": self.type,
            "monthly_usd": self.monthly_usd,
            "basis": self.basis,
            "name": self.name,
            "kind": self.kind,
            "category": self.category,
            "prices": sorted({charge.price for charge in self.charges}),
        }


@dataclass(frozen=True, kw_only=True)
class StackEstimate:
    name: str
    environment: str
    lines: tuple[Line, ...]
    unpriced: dict[str, tuple[str, ...]]  # type -> logical ids
    free: dict[str, int]  # free type -> how many resources
    usage_path: str
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def monthly_usd(self) -> float:
        return round(sum((line.monthly_usd for line in self.lines), 0.0), 2)

    @property
    def fixed_usd(self) -> float:
        return round(sum((line.monthly_usd for line in self.lines if line.kind == FIXED), 0.0), 2)

    @property
    def usage_usd(self) -> float:
        return round(self.monthly_usd - self.fixed_usd, 2)

    def by_category(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.category] = round(totals.get(line.category, 0.0) + line.monthly_usd, 2)
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))

    def top(self, count: int = 5) -> list[Line]:
        return sorted(self.lines, key=lambda line: (-line.monthly_usd, line.logical_id, line.name))[:count]
