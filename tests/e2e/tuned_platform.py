"""A second local platform (emulator, order service, gateway) on free ports whose services get extra settings,
e.g. short cache lifetimes, for e2e tests that watch time pass. Same ``Platform`` code as ``make up``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from local.components import build_components, select
from local.platform import Platform
from local.processes import isolated_settings


@contextmanager
def tuned_platform(
    run_dir: Path, *, order_env: Mapping[str, str] = {}, login_env: Mapping[str, str] = {}
) -> Iterator[Platform]:
    settings = isolated_settings(run_dir)  # beside the session's platform
    extra = {"order": order_env, "login": login_env}
    components = [
        dataclasses.replace(component, env={**component.env, **extra.get(component.name, {})})
        for component in select(build_components(settings), ("aws", "order", "login"))
    ]
    platform = Platform(settings, components=components)
    try:
        platform.up()
        yield platform
    finally:
        platform.down()


def pid_of(platform: Platform, name: str) -> int:
    (status,) = [status for status in platform.status() if status.name == name]
    assert status.pid is not None, f"{name} is not running"
    return status.pid
