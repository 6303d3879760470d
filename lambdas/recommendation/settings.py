"""The recommender's settings, from environment variables, read once at cold start."""

from __future__ import annotations

from pydantic import Field

from lambdas.recommendation.models import Lang
from lambdas.shared.settings import LambdaSettings


class RecommendationSettings(LambdaSettings):
    """``RECOMMENDATIONS_TABLE``, ``CATALOG_TABLE``, ``*_CACHE_SECONDS``, ``STORE_TIMEZONE``, ``DEFAULT_LANG``."""

    recommendations_table: str = Field(min_length=3)
    catalog_table: str = Field(min_length=3)
    catalog_cache_seconds: float = Field(default=60.0, ge=0)
    stats_cache_seconds: float = Field(default=10.0, ge=0)  # shared statistics; customers' own are read fresh
    store_timezone: str = "Asia/Seoul"
    default_lang: Lang = "ko"


class IndexerSettings(LambdaSettings):
    """The Orders-stream indexer's settings: ``RECOMMENDATIONS_TABLE``, ``STORE_TIMEZONE``."""

    recommendations_table: str = Field(min_length=3)
    store_timezone: str = "Asia/Seoul"
