"""Isolated settings (free ports, private run directory) and stand-in components for runner tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from local.components import Component
from local.processes import free_ports, isolated_settings
from local.settings import LocalSettings

FAKE_SERVICE = Path(__file__).with_name("fake_service.py")


@pytest.fixture
def settings(tmp_path: Path) -> LocalSettings:
    return isolated_settings(tmp_path / "run", up_timeout=20)


@pytest.fixture
def fake_component() -> Callable[[str, str], Component]:
    """``fake_component(name, mode)``: a service running fake_service.py on a free port."""

    def build(name: str, mode: str) -> Component:
        port = free_ports(1)[0]
        return Component(
            name=name,
            kind="service",
            command=(sys.executable, str(FAKE_SERVICE), str(port), mode),
            env={},
            port=port,
            health_url=f"http://127.0.0.1:{port}/readyz",
        )

    return build
