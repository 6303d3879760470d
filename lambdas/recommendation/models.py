"""The recommendation API's request and answer, and the domain types shared by the model and its stores.

The query is validated by hand rather than with pydantic: importing pydantic cost ~100 ms of the API Lambda's cold
start (``python -X importtime``, 2026-12-01) for five query parameters. :meth:`RecommendationQuery.parse` reports
every invalid parameter at once as ``{"field", "message"}`` (:class:`InvalidQuery`), which the handler returns as 422.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")
MAX_K = 20
MAX_BASKET_ITEMS = 50
MAX_SKU_LENGTH = 64
RESERVED_PREFIX = "#"  # sort keys starting with "#" hold totals in the statistics; no sku may start with it
CUSTOMER_ID_PATTERN = r"[A-Za-z0-9_\-:.@]{1,128}"

# Statistics as the stores hold them: partition -> sort key -> attribute -> count.
Counts = Mapping[str, Mapping[str, Mapping[str, int]]]
Deltas = dict[tuple[str, str], dict[str, int]]


def valid_sku(sku: str) -> bool:
    return 0 < len(sku) <= MAX_SKU_LENGTH and not sku.startswith(RESERVED_PREFIX) and "," not in sku


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidQuery(ValueError):
    """The query string has invalid parameters; ``errors`` names each with what is wrong."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True, kw_only=True)
class RecommendationQuery:
    """``GET /recommendations`` query: customer, basket (comma-separated skus), k, time and language."""

    customer_id: str | None = None
    items: tuple[str, ...] = ()
    k: int = 5
    at: datetime | None = None
    lang: Lang | None = None

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> RecommendationQuery:
        """The query from API Gateway's query string parameters; unknown parameters are ignored."""
        errors: list[FieldError] = []
        values: dict[str, Any] = {}
        for name, parser in _PARSERS.items():
            raw = params.get(name)
            if raw is None:
                continue
            try:
                values[name] = parser(raw)
            except ValueError as error:
                errors.append(FieldError(name, str(error)))
        if errors:
            raise InvalidQuery(errors)
        return cls(**values)


def _customer_id(raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise ValueError("must be a string")
    if not raw.strip():
        return None
    if not re.fullmatch(CUSTOMER_ID_PATTERN, raw):
        raise ValueError("must be 1-128 letters, digits or _-:.@")
    return raw


def _items(raw: Any) -> tuple[str, ...]:
    parts = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(parts, list | tuple) or not all(isinstance(part, str) for part in parts):
        raise ValueError("items must be a comma-separated list of skus")
    skus = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
    if len(skus) > MAX_BASKET_ITEMS:
        raise ValueError(f"at most {MAX_BASKET_ITEMS} items")
    bad = [sku for sku in skus if not valid_sku(sku)]
    if bad:
        raise ValueError(f"invalid sku(s): {', '.join(bad[:5])}")
    return tuple(skus)


def _k(raw: Any) -> int:
    try:
        k = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"must be an integer, got {str(raw)[:20]!r}") from None
    if not 1 <= k <= MAX_K:
        raise ValueError(f"must be between 1 and {MAX_K}, got {k}")
    return k


def _at(raw: Any) -> datetime | None:
    text = str(raw).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"must be an ISO 8601 time such as 2025-03-03T08:15:00+09:00, got {text[:40]!r}") from None


def _lang(raw: Any) -> Lang:
    for lang in LANGS:
        if raw == lang:
            return lang
    raise ValueError(f"must be one of {', '.join(LANGS)}, got {str(raw)[:20]!r}")


_PARSERS = {"customer_id": _customer_id, "items": _items, "k": _k, "at": _at, "lang": _lang}


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    sku: str
    name: str
    score: float
    reason: str


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
