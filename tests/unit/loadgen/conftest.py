"""The loadgen package is not installed: like its image (PYTHONPATH=/app/loadgen), put containers/loadgen on the path.

Only its pure modules are imported here; ``locustfile.py`` imports Locust, which monkey-patches the process with
gevent, so it only ever runs in Locust's own processes (tests/e2e/test_load.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

LOADGEN = Path(__file__).resolve().parents[3] / "containers" / "loadgen"
if str(LOADGEN) not in sys.path:
    sys.path.insert(0, str(LOADGEN))


@pytest.fixture
def no_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the CLI gets as far as starting the platform."""
    from local import load

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the platform must not be started")

    monkeypatch.setattr(load, "Platform", refuse)
