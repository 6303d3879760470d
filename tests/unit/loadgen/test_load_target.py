"""``python -m local.load --target`` and ``--duration``: refused when wrong, passed to Locust when right."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadgen import thresholds
from local import load
from local.processes import isolated_settings


@pytest.mark.usefixtures("no_platform")
def test_given_an_unknown_target_in_the_environment_then_the_cli_refuses_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOAD_TARGET", "sideways")
    with pytest.raises(SystemExit):
        load.main(["--profile", "probe"])
    assert "LOAD_TARGET" in capsys.readouterr().err


@pytest.mark.usefixtures("no_platform")
def test_given_a_negative_duration_then_the_cli_refuses_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load.main(["--duration", "-5"])
    assert "--duration" in capsys.readouterr().err


def test_given_a_duration_then_locust_gets_it_and_the_gateway_target_whatever_our_environment(tmp_path: Path) -> None:
    base = {"LOAD_TARGET": "direct", "LOAD_ORDER_URL": "http://elsewhere"}
    env = load.locust_env(base, profile="steady", users=20, directory=tmp_path, duration_s=30)
    assert (env["LOAD_DURATION_S"], env["LOAD_TARGET"]) == ("30", "gateway")
    assert load.locust_env({}, profile="smoke", users=0, directory=tmp_path)["LOAD_DURATION_S"] == "0"


def test_given_the_direct_target_then_locust_learns_where_the_gateways_downstreams_listen(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    env = load.direct_env(settings, {})
    assert (env["LOAD_TARGET"], env["LOAD_ORDER_URL"], env["LOAD_RECO_URL"]) == (
        "direct",
        settings.order_url,
        settings.reco_url,
    )


def test_given_the_direct_target_then_its_endpoints_are_judged_by_the_gateways_limits(tmp_path: Path) -> None:
    # Given an override tightening orders through the gateway
    env = load.direct_env(isolated_settings(tmp_path), {"LOAD_P95_MS": "POST /api/orders=500"})
    # Then the direct run's labels get the same limits as the gateway's, defaults and override alike
    limits = thresholds.from_env(env)
    assert limits.p95_limit("POST /orders") == limits.p95_limit("POST /api/orders") == 500
    assert limits.p95_limit("GET /recommendations") == limits.p95_limit("GET /api/recommendations") == 2000
    assert limits.p95_limit("POST /auth/login") == 3000
    assert limits.p95_limit("GET /menu") == thresholds.DEFAULT_P95_MS
