"""The local platform fixture itself, over real HTTP: every component serves, and one can be stopped alone."""

from __future__ import annotations

import httpx
import pytest

from local.platform import Platform

pytestmark = pytest.mark.e2e


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=3, trust_env=False)


def test_every_component_is_ready_and_the_emulator_holds_the_menu(platform: Platform) -> None:
    # Given the platform brought up by the session fixture
    # When each component is asked for readiness
    # Then all answer, and the emulator's catalog holds the seeded menu
    assert get(f"{platform.aws_url}/moto-api/").status_code == 200
    assert get(f"{platform.order_url}/readyz").status_code == 200
    assert get(f"{platform.login_url}/readyz").status_code == 200
    catalog = platform.client("dynamodb").scan(TableName=platform.table_name("catalog"), Select="COUNT")
    assert 24 <= catalog["Count"] <= 30


def test_the_order_service_can_be_stopped_alone_and_started_again(platform: Platform) -> None:
    # Given a running platform
    try:
        # When only the order service is stopped
        platform.stop("order")
        # Then it no longer answers while the gateway and the emulator still do
        assert not platform.is_running("order")
        with pytest.raises(httpx.ConnectError):
            get(f"{platform.order_url}/readyz")
        assert get(f"{platform.login_url}/healthz").status_code == 200
        assert platform.is_running("aws")
    finally:
        # And once started again it is ready
        platform.start("order")
    assert get(f"{platform.order_url}/readyz").status_code == 200
