"""The CLI's behaviour that needs no running component: status, idempotent down, a taken port."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from local.platform import main
from local.processes import free_ports


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the CLI at free ports and a private run directory."""
    names = (
        "AWS_PORT",
        "LOGIN_PORT",
        "ORDER_PORT",
        "RECO_PORT",
        "LOGIN_METRICS_PORT",
        "ORDER_METRICS_PORT",
        "PROMETHEUS_PORT",
    )
    for name, port in zip(names, free_ports(len(names)), strict=True):
        monkeypatch.setenv(name, str(port))
    monkeypatch.setenv("TLJ_RUN_DIR", str(tmp_path))
    return tmp_path


def test_status_reports_every_component_stopped_and_exits_non_zero(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given nothing running
    # When status is asked for
    code = main(["status"])
    # Then each component is listed as stopped and the exit status says "not up"
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["aws", "stopped"],
        ["order", "stopped"],
        ["login", "stopped"],
        ["reco", "stopped"],
        ["indexer", "stopped"],
        ["prometheus", "stopped"],
    ]
    assert code == 3


def test_down_with_nothing_running_cleans_stale_pid_files(isolated: Path) -> None:
    # Given stale PID files (their processes are long gone) and no running component
    (isolated / "order.pid").write_text('{"pid": 999999999, "start_time": null, "command": []}', encoding="utf-8")
    (isolated / "reco.pid").write_text("garbage", encoding="utf-8")
    # When down is run, twice
    first, second = main(["down"]), main(["down"])
    # Then both succeed and the stale files are gone
    assert (first, second) == (0, 0)
    assert list(isolated.glob("*.pid")) == []


def test_up_on_a_taken_port_is_a_clear_error_not_a_hang(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given another program listening on the login port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        monkeypatch.setenv("LOGIN_PORT", str(port))
        # When up is run
        code = main(["up"])
    # Then it fails before starting anything, naming the port and the component
    assert code == 1
    assert f"{port} (login)" in capsys.readouterr().err
    assert list(isolated.glob("*.pid")) == []


def test_an_unknown_command_is_a_usage_error() -> None:
    # Given / When / Then
    with pytest.raises(SystemExit) as raised:
        main(["restart"])
    assert raised.value.code == 2


def test_status_reports_a_stale_pid_file_without_removing_it(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a PID file whose process is gone
    stale = isolated / "aws.pid"
    stale.write_text('{"pid": 999999999, "start_time": null, "command": []}', encoding="utf-8")
    # When status is asked for
    main(["status"])
    # Then the emulator is reported stale, and status (read-only) leaves the file for down to clean
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.split()[:2] == ["aws", "stale"]
    assert stale.exists()
