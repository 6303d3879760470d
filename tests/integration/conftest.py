"""Integration tests run against moto: ``aws`` is plain moto with fake credentials (suites that need tables or
caches cleared override it in their own conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.integration.fake_aws import fake_credentials


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto with fake credentials; never real AWS, never an endpoint from the environment."""
    fake_credentials(monkeypatch)
    with mock_aws():
        yield
