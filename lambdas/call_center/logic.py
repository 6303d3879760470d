"""The call center's rules: who is calling, their latest order, what to recommend, whether the store is open.

Pure Python: the stores come in as ports (``Directory``, ``Recommendations``), time and the remaining budget as
arguments. The answer is the flat map of strings Amazon Connect stores under ``$.External``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from lambdas.call_center import speech
from lambdas.call_center.hours import WeeklyHours
from lambdas.call_center.phone import CallerKind, normalise
from lambdas.call_center.speech import Lang

KEYS = (
    "customer_found",
    "customer_name",
    "caller_status",
    "has_order",
    "order_id",
    "order_id_speech",
    "order_status",
    "order_status_speech",
    "recommendation_speech",
    "store_open",
    "store_hours_speech",
    "lang",
)


@dataclass(frozen=True, kw_only=True)
class OrderSummary:
    order_id: str
    status: str
    created_at: str
    customer_id: str
    customer_name: str = ""


@dataclass(frozen=True, kw_only=True)
class CustomerSummary:
    customer_id: str
    name: str


class Directory(Protocol):
    def latest_order(self, phone: str) -> OrderSummary | None:
        """The newest order placed with ``phone`` (E.164), if any."""
        ...

    def customers(self, phone: str, limit: int) -> list[CustomerSummary]:
        """Up to ``limit`` customers registered with ``phone``."""
        ...


class Recommendations(Protocol):
    def names(self, *, customer_id: str | None, lang: Lang, at: datetime, k: int) -> list[str]:
        """Display names of up to ``k`` recommended items, best first."""
        ...


@dataclass(frozen=True, kw_only=True)
class Policy:
    region: str = "KR"  # for numbers in national format
    recent_order_days: int = 30  # older orders are not read out
    customer_lookup_min_ms: int = 600  # skip the name lookup when less of the budget remains
    recommendation_min_ms: int = 1000  # skip recommendations when less of the budget remains
    recommendations_k: int = 3


@dataclass(frozen=True, kw_only=True)
class Answer:
    attributes: dict[str, str]
    notes: tuple[str, ...] = field(default=())  # what was skipped or degraded, for logs and metrics


def store_attributes(*, hours: WeeklyHours, now: datetime, lang: Lang) -> dict[str, str]:
    """What every answer carries, whoever calls: the store's state and hours, and no caller data yet."""
    open_now = hours.is_open(now)
    return {
        "customer_found": "false",
        "customer_name": "",
        "caller_status": "unknown",
        "has_order": "false",
        "order_id": "",
        "order_id_speech": "",
        "order_status": "",
        "order_status_speech": "",
        "recommendation_speech": speech.no_recommendation(lang),
        "store_open": "true" if open_now else "false",
        "store_hours_speech": speech.hours_speech(hours, lang, open_now=open_now),
        "lang": lang,
    }


def failure(error: str, *, hours: WeeklyHours | None, now: datetime, lang: Lang) -> dict[str, str]:
    """The answer when the lookup failed: an unknown caller with ``error`` set; still every key, all strings."""
    try:
        attributes = store_attributes(hours=hours, now=now, lang=lang) if hours else None
    except Exception:  # noqa: BLE001 - a broken hours setting must not stop the failure answer itself
        attributes = None
    if attributes is None:
        attributes = dict.fromkeys(KEYS, "") | {
            "customer_found": "false",
            "has_order": "false",
            "store_open": "false",
            "recommendation_speech": speech.no_recommendation(lang),
            "lang": lang,
        }
    return attributes | {"error": error}


def answer_call(
    raw_caller: object,
    *,
    lang: Lang,
    now: datetime,
    hours: WeeklyHours,
    directory: Directory,
    recommendations: Recommendations,
    remaining_ms: Callable[[], float],
    policy: Policy,
) -> Answer:
    """Look the caller up; ``remaining_ms`` says how much of the time budget is left."""
    attributes = store_attributes(hours=hours, now=now, lang=lang)
    notes: list[str] = []
    caller = normalise(raw_caller, policy.region)
    attributes["caller_status"] = _caller_status(caller.kind)
    customer_id: str | None = None
    if caller.kind == "number":
        order = directory.latest_order(caller.e164)
        customer_id, name = (order.customer_id, speech.clean_name(order.customer_name)) if order else (None, "")
        if not name:
            if remaining_ms() >= policy.customer_lookup_min_ms:
                customer_id, name = _registered(directory, caller.e164, customer_id, notes)
            else:
                notes.append("customer_lookup_skipped")
        if customer_id:
            attributes |= {"customer_found": "true", "customer_name": name, "caller_status": "known"}
        if order and _is_recent(order.created_at, now, policy.recent_order_days):
            attributes |= _order_attributes(order, name, lang)
    attributes["recommendation_speech"] = _recommendation(
        recommendations, customer_id, lang, now, remaining_ms, policy, notes
    )
    return Answer(attributes=attributes, notes=tuple(notes))


def _caller_status(kind: CallerKind) -> str:
    return {"number": "unknown", "withheld": "withheld", "malformed": "malformed"}[kind]


def _registered(directory: Directory, phone: str, customer_id: str | None, notes: list[str]) -> tuple[str | None, str]:
    """The customer registered with ``phone``: their name only when the number belongs to exactly one customer."""
    try:
        matches = directory.customers(phone, limit=2)
    except Exception:  # noqa: BLE001 - the name is optional; the order (if any) is still read out
        notes.append("customer_lookup_failed")
        return customer_id, ""
    if len(matches) == 1 and (customer_id is None or matches[0].customer_id == customer_id):
        return matches[0].customer_id, speech.clean_name(matches[0].name)
    if matches and customer_id is None:
        notes.append("phone_shared_by_customers")
        return matches[0].customer_id, ""
    return customer_id, ""


def _order_attributes(order: OrderSummary, name: str, lang: Lang) -> dict[str, str]:
    return {
        "has_order": "true",
        "order_id": order.order_id,
        "order_id_speech": speech.spoken_order_id(order.order_id),
        "order_status": order.status,
        "order_status_speech": speech.order_speech(name=name, order_id=order.order_id, status=order.status, lang=lang),
    }


def _recommendation(
    recommendations: Recommendations,
    customer_id: str | None,
    lang: Lang,
    now: datetime,
    remaining_ms: Callable[[], float],
    policy: Policy,
    notes: list[str],
) -> str:
    if remaining_ms() < policy.recommendation_min_ms:
        notes.append("recommendations_skipped")
        return speech.no_recommendation(lang)
    try:
        names = recommendations.names(customer_id=customer_id, lang=lang, at=now, k=policy.recommendations_k)
    except Exception:  # noqa: BLE001 - recommendations are optional; the caller still hears the fallback
        notes.append("recommendations_failed")
        return speech.no_recommendation(lang)
    return speech.recommendation_speech(names, lang)


def _is_recent(created_at: str, now: datetime, days: int) -> bool:
    try:
        created = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return True  # an order without a readable date is still the caller's latest one
    if created.tzinfo is None or now.tzinfo is None:
        return True
    return now - created <= timedelta(days=days)
