"""The declarative component list: commands, environments and health URLs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from local.components import Component, build_components, child_env, select
from local.settings import REPO_ROOT, LocalSettings


@pytest.fixture
def settings(tmp_path: Path) -> LocalSettings:
    return LocalSettings(aws_port=14566, login_port=18080, order_port=18081, reco_port=18082, run_dir=tmp_path)


def by_name(settings: LocalSettings) -> dict[str, Component]:
    return {c.name: c for c in build_components(settings)}


def test_components_start_emulator_first_then_order_then_login(settings: LocalSettings) -> None:
    # Given any settings
    # When the component list is built
    components = build_components(settings)
    # Then the emulator comes first, and the order service before the gateway that calls it; the recommendation
    # API, the Orders-stream poller and Prometheus follow
    assert [(c.name, c.kind) for c in components] == [
        ("aws", "emulator"),
        ("order", "service"),
        ("login", "service"),
        ("reco", "service"),
        ("indexer", "service"),
        ("prometheus", "service"),
    ]


def test_emulator_is_moto_server_on_the_aws_port(settings: LocalSettings) -> None:
    # Given settings with AWS_PORT 14566
    # When the emulator component is built
    aws = by_name(settings)["aws"]
    # Then it runs moto's server with this interpreter, bound to loopback, health-checked on /moto-api/
    assert aws.command == (sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "14566")
    assert aws.health_url == "http://127.0.0.1:14566/moto-api/"
    assert aws.url == "http://127.0.0.1:14566"


def test_services_run_uvicorn_on_their_ports_with_readyz_health(settings: LocalSettings) -> None:
    # Given settings with ORDER_PORT 18081 and LOGIN_PORT 18080
    components = by_name(settings)
    # When / Then each service is its package's app under uvicorn on its own port
    assert components["order"].command[1:] == (
        "-m",
        "uvicorn",
        "order_service.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        "18081",
    )
    assert components["login"].command[1:] == (
        "-m",
        "uvicorn",
        "login_service.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        "18080",
    )
    assert components["order"].health_url == "http://127.0.0.1:18081/readyz"
    assert components["login"].health_url == "http://127.0.0.1:18080/readyz"


@pytest.mark.parametrize("name", ["order", "login"])
def test_services_reach_the_emulator_with_fake_credentials_and_local_tables(settings: LocalSettings, name: str) -> None:
    # Given a service component
    env = by_name(settings)[name].env
    # When / Then it talks to the emulator, never to real AWS, and uses the tlj-local tables
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:14566"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("testing", "testing")
    assert env["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert env["CUSTOMERS_TABLE"] == "tlj-local-customers"
    assert env["ORDERS_TABLE"] == "tlj-local-orders"
    assert env["CATALOG_TABLE"] == "tlj-local-catalog"


def test_order_service_imports_its_package_and_verifies_tokens_with_the_gateway_jwks(settings: LocalSettings) -> None:
    # Given the order service component
    env = by_name(settings)["order"].env
    # When / Then
    assert env["PYTHONPATH"].split(os.pathsep) == [
        str(REPO_ROOT / "containers" / "order"),
        str(REPO_ROOT / "containers" / "common"),
    ]
    assert env["JWKS_URL"] == "http://127.0.0.1:18080/.well-known/jwks.json"


def test_login_gateway_knows_the_order_service_the_recommendation_api_and_its_key_file(
    settings: LocalSettings, tmp_path: Path
) -> None:
    # Given the login gateway component
    env = by_name(settings)["login"].env
    # When / Then
    assert env["PYTHONPATH"].split(os.pathsep) == [
        str(REPO_ROOT / "containers" / "login"),
        str(REPO_ROOT / "containers" / "common"),
    ]
    assert env["ORDER_SERVICE_URL"] == "http://127.0.0.1:18081"
    assert env["RECOMMENDATION_API_URL"] == "http://127.0.0.1:18082"
    assert env["SIGNING_KEY_FILE"] == str(tmp_path.resolve() / "signing-key.pem")


def test_child_env_drops_real_aws_settings_and_foreign_python_paths(settings: LocalSettings) -> None:
    # Given a developer shell with a real AWS profile, session credentials and its own PYTHONPATH
    base = {
        "PATH": "/usr/bin",
        "HOME": "/home/dev",
        "AWS_PROFILE": "prod-admin",
        "AWS_SESSION_TOKEN": "real-token",
        "AWS_ACCESS_KEY_ID": "AKIAREAL",
        "PYTHONPATH": "/elsewhere",
        "NO_PROXY": "corp.example",
    }
    # When the order service's environment is built from it
    env = child_env(by_name(settings)["order"], base)
    # Then nothing points at real AWS, the component's values win, and loopback bypasses any proxy
    assert "AWS_PROFILE" not in env
    assert "AWS_SESSION_TOKEN" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert "/elsewhere" not in env["PYTHONPATH"]
    assert env["PATH"] == "/usr/bin"
    assert env["HOME"] == "/home/dev"
    assert env["NO_PROXY"].split(",") == ["corp.example", "127.0.0.1", "localhost"]


def test_select_keeps_platform_order_and_rejects_unknown_names(settings: LocalSettings) -> None:
    # Given the full component list
    components = build_components(settings)
    # When a subset is selected
    chosen = select(components, ["login", "aws"])
    # Then it keeps the start order, and an unknown name is an error rather than silently ignored
    assert [c.name for c in chosen] == ["aws", "login"]
    with pytest.raises(KeyError, match="nonesuch"):
        select(components, ["aws", "nonesuch"])


def test_services_serve_metrics_on_their_own_loopback_ports(tmp_path: Path) -> None:
    # Given settings with LOGIN_METRICS_PORT 19180 and ORDER_METRICS_PORT 19181
    settings = LocalSettings(login_metrics_port=19180, order_metrics_port=19181, run_dir=tmp_path)
    components = by_name(settings)
    # When / Then each FastAPI service is told its metrics port (bound to loopback) and reports its URL
    for name, port in (("login", 19180), ("order", 19181)):
        assert (components[name].env["METRICS_PORT"], components[name].env["METRICS_HOST"]) == (str(port), "127.0.0.1")
        assert components[name].metrics_url == f"http://127.0.0.1:{port}/metrics"
        assert components[name].ports == (components[name].port, port)
    assert components["reco"].metrics_url is None


def test_metrics_ports_default_to_9180_and_9181(tmp_path: Path) -> None:
    settings = LocalSettings(run_dir=tmp_path)
    assert (settings.login_metrics_port, settings.order_metrics_port) == (9180, 9181)
