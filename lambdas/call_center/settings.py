"""The call-center Lambda's settings, from environment variables, read once at cold start.

The defaults are the local platform's (tables ``tlj-local-*``, the store hours of ``stacks/config.py``); in the
cloud the CallCenter construct sets every variable from the environment's config. A frozen dataclass rather than
pydantic-settings: see :mod:`lambdas.shared.settings` for the measured import cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from lambdas.call_center.hours import HoursTriple, WeeklyHours, every_day
from lambdas.call_center.logic import Policy
from lambdas.call_center.speech import Lang
from lambdas.shared.settings import setting

DEFAULT_HOURS = every_day("07:00", "22:00")


@dataclass(frozen=True, kw_only=True)
class CallCenterSettings:
    """``ORDERS_TABLE``, ``CUSTOMERS_TABLE``, ``CATALOG_TABLE``, ``RECOMMENDATIONS_TABLE``, ``STORE_HOURS`` (JSON
    ``[["MONDAY", "07:00", "22:00"], ...]``), ``STORE_TIMEZONE``, ``DEFAULT_LANG``, ``PHONE_REGION``,
    ``BUDGET_MS`` and the thresholds of :class:`Policy`."""

    orders_table: str = setting("tlj-local-orders", min_length=3)
    customers_table: str = setting("tlj-local-customers", min_length=3)
    catalog_table: str = setting("tlj-local-catalog", min_length=3)
    recommendations_table: str = setting("tlj-local-recommendations", min_length=3)
    phone_index: str = setting("by-phone", min_length=1)
    catalog_cache_seconds: float = setting(300.0, ge=0)
    stats_cache_seconds: float = setting(10.0, ge=0)  # shared statistics, as the API caches them
    store_hours: tuple[HoursTriple, ...] = DEFAULT_HOURS
    store_timezone: str = "Asia/Seoul"
    default_lang: Lang = "ko"
    phone_region: str = setting("KR", pattern=r"[A-Z]{2}")
    # The whole lookup aims to finish within this; the Lambda timeout (and Connect's block timeout) are above it.
    budget_ms: int = setting(3000, ge=100, le=8000)
    safety_ms: int = setting(500, ge=0)  # kept free before the Lambda timeout
    recent_order_days: int = setting(30, ge=1)
    customer_lookup_min_ms: int = setting(600, ge=0)
    recommendation_min_ms: int = setting(1000, ge=0)
    recommendations_k: int = setting(3, ge=1, le=10)

    @cached_property
    def hours(self) -> WeeklyHours:
        return WeeklyHours.of(self.store_hours, self.store_timezone)

    @property
    def policy(self) -> Policy:
        return Policy(
            region=self.phone_region,
            recent_order_days=self.recent_order_days,
            customer_lookup_min_ms=self.customer_lookup_min_ms,
            recommendation_min_ms=self.recommendation_min_ms,
            recommendations_k=self.recommendations_k,
        )
