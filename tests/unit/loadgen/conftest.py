"""The loadgen package is on pytest's path (pyproject.toml `pythonpath`), as on its image's (PYTHONPATH=/app/loadgen).

Only its pure modules are imported here; ``locustfile.py`` imports Locust, which monkey-patches the process with
gevent, so it only ever runs in Locust's own processes (tests/e2e/test_load.py).
"""

from __future__ import annotations

import pytest


@pytest.fixture
def no_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the CLI gets as far as starting the platform."""
    from local import load

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the platform must not be started")

    monkeypatch.setattr(load, "Platform", refuse)
