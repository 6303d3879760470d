"""The recommender's settings, from environment variables, read once at cold start (frozen dataclasses rather than
pydantic-settings: see :mod:`lambdas.shared.settings` for the measured import cost)."""

from __future__ import annotations

from dataclasses import dataclass

from lambdas.recommendation.models import Lang
from lambdas.shared.settings import setting


@dataclass(frozen=True, kw_only=True)
class RecommendationSettings:
    """``RECOMMENDATIONS_TABLE``, ``CATALOG_TABLE``, ``*_CACHE_SECONDS``, ``STORE_TIMEZONE``, ``DEFAULT_LANG``."""

    recommendations_table: str = setting(min_length=3)
    catalog_table: str = setting(min_length=3)
    catalog_cache_seconds: float = setting(60.0, ge=0)
    stats_cache_seconds: float = setting(10.0, ge=0)  # shared statistics; customers' own are read fresh
    store_timezone: str = "Asia/Seoul"
    default_lang: Lang = "ko"


@dataclass(frozen=True, kw_only=True)
class IndexerSettings:
    """The Orders-stream indexer's settings: ``RECOMMENDATIONS_TABLE``, ``STORE_TIMEZONE``."""

    recommendations_table: str = setting(min_length=3)
    store_timezone: str = "Asia/Seoul"
