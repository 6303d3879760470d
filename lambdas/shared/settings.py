"""Settings are pydantic models read from the environment once, at cold start."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from pydantic_settings import BaseSettings, SettingsConfigDict


class LambdaSettings(BaseSettings):
    """Base of every Lambda's settings: frozen, read from environment variables, unknown variables ignored."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")


S = TypeVar("S", bound=LambdaSettings)


@cache
def load(settings_class: type[S]) -> S:
    """The settings of ``settings_class``, read once per process (tests call ``load.cache_clear()``)."""
    return settings_class()
