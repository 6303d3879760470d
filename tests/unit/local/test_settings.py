"""Ports and the run directory come from the environment, with the documented defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from local.settings import PROMETHEUS_DEFAULT, REPO_ROOT, LocalSettings

_VARIABLES = (
    "AWS_PORT",
    "LOGIN_PORT",
    "ORDER_PORT",
    "RECO_PORT",
    "PROMETHEUS_PORT",
    "PROMETHEUS",
    "TLJ_RUN_DIR",
    "TLJ_UP_TIMEOUT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_documented_ports_and_the_repo_run_directory() -> None:
    # Given no overrides in the environment
    # When the settings are read
    settings = LocalSettings()
    # Then the ports are those of ARCHITECTURE.md and state goes to <repo>/.run
    assert (settings.aws_port, settings.login_port, settings.order_port, settings.reco_port) == (4566, 8080, 8081, 8082)
    assert settings.run_dir == REPO_ROOT / ".run"
    assert settings.aws_url == "http://127.0.0.1:4566"
    assert settings.signing_key_file == REPO_ROOT / ".run" / "signing-key.pem"


def test_environment_overrides_every_port_and_the_run_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given overrides for every port and the run directory
    for name, value in {
        "AWS_PORT": "14566",
        "LOGIN_PORT": "18080",
        "ORDER_PORT": "18081",
        "RECO_PORT": "18082",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TLJ_RUN_DIR", str(tmp_path))
    # When the settings are read
    settings = LocalSettings()
    # Then every URL uses the overridden port
    assert settings.aws_url == "http://127.0.0.1:14566"
    assert settings.login_url == "http://127.0.0.1:18080"
    assert settings.order_url == "http://127.0.0.1:18081"
    assert settings.reco_url == "http://127.0.0.1:18082"
    assert settings.run_dir == tmp_path.resolve()


def test_a_relative_run_directory_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given a relative TLJ_RUN_DIR (services run from the repository root, so it must not stay relative)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TLJ_RUN_DIR", "state")
    # When the settings are read
    settings = LocalSettings()
    # Then it is resolved against the current directory
    assert settings.run_dir == (tmp_path / "state").resolve()


@pytest.mark.parametrize("value", ["0", "70000", "http"])
def test_an_invalid_port_is_rejected(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    # Given a port that is not a TCP port number
    monkeypatch.setenv("ORDER_PORT", value)
    # When / Then reading the settings fails instead of starting on a wrong port
    with pytest.raises(ValidationError):
        LocalSettings()


def test_prometheus_defaults_to_port_9090_and_the_unpacked_debian_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no overrides
    # When the settings are read
    settings = LocalSettings()
    # Then Prometheus is on 9090 (ARCHITECTURE.md) and runs the server the Makefile unpacks into .tools/
    assert settings.prometheus_url == "http://127.0.0.1:9090"
    assert PROMETHEUS_DEFAULT == REPO_ROOT / ".tools" / "usr" / "bin" / "prometheus"
    assert settings.prometheus == str(PROMETHEUS_DEFAULT)


def test_prometheus_port_and_binary_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given PROMETHEUS_PORT and PROMETHEUS (a path that does not exist)
    monkeypatch.setenv("PROMETHEUS_PORT", "19090")
    monkeypatch.setenv("PROMETHEUS", str(tmp_path / "prometheus"))
    # When the settings are read
    settings = LocalSettings()
    # Then both are used, and a binary that is not there resolves to nothing (up then fails with a hint)
    assert settings.prometheus_url == "http://127.0.0.1:19090"
    assert settings.prometheus == str(tmp_path / "prometheus")
    assert settings.prometheus_binary is None
