"""The e2e fixture: one isolated local platform per session, on free ports, always torn down.

It drives the same ``Platform`` class as ``python -m local.platform``, so e2e tests exercise the very
start, health-wait and stop code a developer runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.platform import Platform
from local.processes import isolated_settings


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A running platform on free ports with its own run directory.

    ``login_url``, ``order_url``, ``aws_url``, ``reco_url``, ``login_metrics_url``, ``order_metrics_url``,
    ``prometheus_url`` (a real Prometheus scraping both metrics ports with AMP's rules);
    ``table_name(key)``; ``client(service)`` and
    ``resource(service)`` for boto3 against the emulator with fake credentials; ``stop(name)``, ``start(name)``
    and ``is_running(name)`` for ``"aws"``, ``"order"`` and ``"login"``. The platform is shared by the session:
    a test that stops a component starts it again in a ``finally``.
    """
    settings = isolated_settings(tmp_path_factory.mktemp("local-platform"))
    local_platform = Platform(settings)
    try:
        local_platform.up()
        yield local_platform
    finally:
        local_platform.down()
