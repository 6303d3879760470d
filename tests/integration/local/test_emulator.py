"""The real moto server started through ``Platform``: tables, seed, restart, and nothing left behind."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from local import pidfiles, processes
from local.bootstrap import dynamodb_client
from local.components import build_components, select
from local.runner import Platform
from local.settings import LocalSettings


@pytest.fixture
def emulator(settings: LocalSettings) -> Iterator[Platform]:
    platform = Platform(settings, components=select(build_components(settings), ["aws"]), out=io.StringIO())
    try:
        yield platform
    finally:
        platform.down()


def test_up_starts_the_emulator_with_tables_and_menu_and_down_leaves_nothing(
    emulator: Platform, settings: LocalSettings
) -> None:
    # Given the emulator alone on a free port
    # When it is brought up
    emulator.up()
    record = pidfiles.read(pidfiles.pid_path(settings.run_dir, "aws"))
    client = dynamodb_client(emulator.aws_url)
    # Then the tables exist in it and the catalog holds the menu
    assert record is not None
    assert sorted(client.list_tables()["TableNames"]) == [
        "tlj-local-catalog",
        "tlj-local-customers",
        "tlj-local-orders",
        "tlj-local-recommendations",
        "tlj-local-throttle",
    ]
    assert 24 <= client.scan(TableName="tlj-local-catalog", Select="COUNT")["Count"] <= 30
    # And when it is brought down, no process, PID file or bound port remains
    emulator.down()
    assert not pidfiles.is_alive(record.pid)
    assert list(settings.run_dir.glob("*.pid")) == []
    assert not processes.port_in_use(settings.aws_port)


def test_a_restarted_emulator_is_bootstrapped_again(emulator: Platform) -> None:
    # Given a running emulator (moto keeps its state in memory only)
    emulator.up()
    # When it is stopped and started on its own
    emulator.stop("aws")
    assert not emulator.is_running("aws")
    emulator.start("aws")
    # Then its tables and menu are back
    client = dynamodb_client(emulator.aws_url)
    assert len(client.list_tables()["TableNames"]) == 5
    assert client.scan(TableName="tlj-local-catalog", Select="COUNT")["Count"] >= 24
