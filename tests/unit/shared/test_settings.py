"""Settings from the environment: defaults, conversions, and errors that name each bad variable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from lambdas.call_center.settings import CallCenterSettings
from lambdas.recommendation.settings import RecommendationSettings
from lambdas.shared.settings import SettingsError, from_environ, setting


@dataclass(frozen=True, kw_only=True)
class Example:
    table: str = setting(min_length=3)
    budget_ms: int = setting(3000, ge=100, le=8000)
    ratio: float = 0.5
    lang: Literal["ko", "en"] = "ko"
    region: str = setting("KR", pattern=r"[A-Z]{2}")
    enabled: bool = False
    directory: Path = Path("/opt")
    hours: tuple[tuple[str, str, str], ...] = ()


def test_given_only_the_required_variable_then_the_defaults_apply() -> None:
    settings = from_environ(Example, {"TABLE": "orders"})
    assert settings == Example(table="orders")


def test_given_every_variable_then_each_is_converted_to_its_type() -> None:
    env = {
        "TABLE": "orders",
        "BUDGET_MS": "2500",
        "RATIO": "0.25",
        "LANG": "en",
        "REGION": "US",
        "ENABLED": "true",
        "DIRECTORY": "/tmp/x",
        "HOURS": '[["MONDAY", "07:00", "22:00"]]',
    }
    settings = from_environ(Example, env)
    assert (settings.budget_ms, settings.ratio, settings.lang, settings.enabled) == (2500, 0.25, "en", True)
    assert (settings.directory, settings.hours) == (Path("/tmp/x"), (("MONDAY", "07:00", "22:00"),))


def test_given_bad_variables_then_one_error_names_each_with_what_it_must_be() -> None:
    env = {"BUDGET_MS": "50", "RATIO": "half", "LANG": "fr", "REGION": "kr", "HOURS": "07-22", "ENABLED": "maybe"}
    with pytest.raises(SettingsError) as error:
        from_environ(Example, env)
    message = str(error.value)
    for expected in (
        "TABLE: required",
        "BUDGET_MS: must be at least 100",
        "RATIO: must be a number, got 'half'",
        "LANG: must be one of ko, en, got 'fr'",
        "REGION: must match [A-Z]{2}",
        "HOURS: must be a JSON list",
        "ENABLED: must be true or false",
    ):
        assert expected in message


def test_the_lambdas_settings_read_the_variables_the_constructs_set() -> None:
    call_center = from_environ(CallCenterSettings, {"ORDERS_TABLE": "tlj-dev-orders", "BUDGET_MS": "2000"})
    assert (call_center.orders_table, call_center.budget_ms, call_center.policy.region) == (
        "tlj-dev-orders",
        2000,
        "KR",
    )
    with pytest.raises(SettingsError, match="RECOMMENDATIONS_TABLE: required; CATALOG_TABLE: required"):
        from_environ(RecommendationSettings, {})
