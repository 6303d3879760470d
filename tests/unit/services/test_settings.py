from __future__ import annotations

import pytest
from pydantic import ValidationError

from login_service.settings import Settings as LoginSettings
from order_service.settings import Settings as OrderSettings


def test_defaults_match_the_local_platform_contract(monkeypatch: pytest.MonkeyPatch):
    for name in ("RECOMMENDATION_API_URL", "ORDER_SERVICE_URL", "JWKS_URL", "CUSTOMERS_TABLE", "ORDERS_TABLE"):
        monkeypatch.delenv(name, raising=False)
    login, order = LoginSettings(), OrderSettings()
    assert login.order_service_url == "http://127.0.0.1:8081"
    assert login.recommendation_api_url is None
    assert (login.jwt_issuer, login.jwt_audience, login.token_ttl_seconds) == ("tlj-login", "tlj-api", 900)
    assert login.downstream_timeout_seconds == 2.5
    assert login.max_body_bytes == 64 * 1024
    assert order.jwks_url == "http://127.0.0.1:8080/.well-known/jwks.json"
    assert order.jwks_cache_seconds == 300
    assert (order.customers_table, order.orders_table, order.catalog_table) == (
        "tlj-local-customers",
        "tlj-local-orders",
        "tlj-local-catalog",
    )


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RECOMMENDATION_API_URL", "http://127.0.0.1:8082/")
    monkeypatch.setenv("ORDERS_TABLE", "tlj-dev-orders")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("RECOMMENDATION_API_SIGV4", "true")
    login = LoginSettings()
    assert login.recommendation_api_url == "http://127.0.0.1:8082"
    assert login.orders_table == "tlj-dev-orders"
    assert login.log_level == "DEBUG"
    assert login.recommendation_api_sigv4 is True


def test_a_blank_recommendation_url_means_unset(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RECOMMENDATION_API_URL", " ")
    assert LoginSettings().recommendation_api_url is None


def test_the_downstream_budget_must_stay_under_three_seconds(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOWNSTREAM_TIMEOUT_SECONDS", "3")
    with pytest.raises(ValidationError):
        LoginSettings()
