"""The recommendation API's request and answer, and the domain types shared by the model and its stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Lang = Literal["ko", "en"]
MAX_K = 20
MAX_BASKET_ITEMS = 50
MAX_SKU_LENGTH = 64
RESERVED_PREFIX = "#"  # sort keys starting with "#" hold totals in the statistics; no sku may start with it

# Statistics as the stores hold them: partition -> sort key -> attribute -> count.
Counts = Mapping[str, Mapping[str, Mapping[str, int]]]
Deltas = dict[tuple[str, str], dict[str, int]]


def valid_sku(sku: str) -> bool:
    return 0 < len(sku) <= MAX_SKU_LENGTH and not sku.startswith(RESERVED_PREFIX) and "," not in sku


class RecommendationQuery(BaseModel):
    """``GET /recommendations`` query: customer, basket (comma-separated skus), k, time and language."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    customer_id: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9_\-:.@]{1,128}$")] = None
    items: tuple[str, ...] = ()
    k: Annotated[int, Field(ge=1, le=MAX_K)] = 5
    at: datetime | None = None
    lang: Lang | None = None

    @field_validator("customer_id", mode="before")
    @classmethod
    def _blank_customer_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("at", mode="before")
    @classmethod
    def _blank_at_is_now(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("items", mode="before")
    @classmethod
    def _split_basket(cls, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple) or not all(isinstance(part, str) for part in value):
            raise ValueError("items must be a comma-separated list of skus")
        skus = list(dict.fromkeys(part.strip() for part in value if part.strip()))
        if len(skus) > MAX_BASKET_ITEMS:
            raise ValueError(f"at most {MAX_BASKET_ITEMS} items")
        bad = [sku for sku in skus if not valid_sku(sku)]
        if bad:
            raise ValueError(f"invalid sku(s): {', '.join(bad[:5])}")
        return tuple(skus)


class Recommendation(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    name: str
    score: float
    reason: str


class Recommendations(BaseModel):
    items: list[Recommendation]


@dataclass(frozen=True, kw_only=True)
class CatalogItem:
    sku: str
    name: str
    name_ko: str | None = None
    available: bool = True

    def display_name(self, lang: Lang) -> str:
        return (self.name_ko or self.name) if lang == "ko" else self.name


@dataclass(frozen=True, kw_only=True)
class Basket:
    """One order as the model learns from it: distinct skus, store-local time, and its customer when known."""

    skus: frozenset[str]
    at: datetime  # naive store-local time
    customer_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Change:
    """A basket's contribution to the statistics, added (+1) or withdrawn (-1), applied at most once per ``scope``."""

    scope: str  # e.g. "order#<customer>#<order id>" or "ingest#<file digest>#<batch>"
    sign: Literal[1, -1]
    deltas: Deltas
