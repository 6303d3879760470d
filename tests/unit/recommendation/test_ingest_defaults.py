"""Where ``python -m lambdas.recommendation.ingest`` writes when the caller names no table and no endpoint."""

from __future__ import annotations

import pytest

from lambdas.recommendation.ingest import Target, target


def test_with_nothing_set_it_is_the_local_platforms_table_in_the_emulator_on_its_default_port(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("AWS_PORT", raising=False)
    assert target(None, {}) == Target(table="tlj-local-recommendations", endpoint_url="http://127.0.0.1:4566")


def test_the_emulator_port_follows_aws_port_as_make_up_does(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_PORT", "4999")
    assert target(None, {}).endpoint_url == "http://127.0.0.1:4999"


def test_recommendations_table_is_the_default_and_a_cloud_table_uses_boto3s_own_configuration():
    environ = {"RECOMMENDATIONS_TABLE": "tlj-dev-recommendations"}
    assert target(None, environ) == Target(table="tlj-dev-recommendations", endpoint_url=None)
    # and --table wins over it
    assert target("tlj-prod-recommendations", environ).table == "tlj-prod-recommendations"


def test_an_explicit_endpoint_is_kept_for_a_local_table():
    environ = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "RECOMMENDATIONS_TABLE": "tlj-local-recommendations"}
    assert target(None, environ).endpoint_url == "http://127.0.0.1:5000"
    assert target(None, {**environ, "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5001"}).endpoint_url == (
        "http://127.0.0.1:5001"
    )
