"""Detached processes, stopping with escalation, port checks and log tails."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

from local import pidfiles, processes
from local.settings import LocalSettings

IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
)


def wait_for_log(log: Path, line: str) -> None:
    """Wait until the child itself printed ``line`` (the spawn header quotes the command, so match whole lines)."""
    deadline = time.monotonic() + 10
    while line not in processes.tail(log).splitlines() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_port_in_use_detects_a_listening_socket() -> None:
    # Given a socket listening on a loopback port
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        # When / Then the port is reported taken
        assert processes.port_in_use(port)
    # And once it is closed, the port is free again
    assert not processes.port_in_use(port)


def test_free_ports_are_distinct_and_free() -> None:
    # Given / When four ports are requested
    ports = processes.free_ports(4)
    # Then they are different and nothing listens on them
    assert len(set(ports)) == 4
    assert not any(processes.port_in_use(port) for port in ports)


def test_tail_returns_the_last_lines(tmp_path: Path) -> None:
    # Given a log of 100 lines
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)), encoding="utf-8")
    # When its tail is read
    lines = processes.tail(log, 30).splitlines()
    # Then exactly the last 30 lines come back, and a missing log is empty
    assert lines == [f"line {i}" for i in range(70, 100)]
    assert processes.tail(tmp_path / "missing.log") == ""


def test_spawned_process_is_detached_and_logs_to_its_file(tmp_path: Path) -> None:
    # Given a command that prints a line and waits
    log = tmp_path / "child.log"
    code = "import time; print('hello from child', flush=True); time.sleep(60)"
    # When it is spawned
    process = processes.spawn([sys.executable, "-c", code], env=dict(os.environ), cwd=tmp_path, log=log)
    try:
        wait_for_log(log, "hello from child")
        # Then it leads its own session (a terminal's Ctrl-C or the CLI's exit does not reach it)
        assert os.getsid(process.pid) == process.pid
        assert os.getpgid(process.pid) == process.pid
        assert "hello from child" in processes.tail(log).splitlines()
    finally:
        processes.stop(process.pid, timeout=5)
        process.wait(timeout=5)


def test_stop_terminates_gracefully_within_the_timeout(tmp_path: Path) -> None:
    # Given a detached process that honours SIGTERM
    process = processes.spawn(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env=dict(os.environ),
        cwd=tmp_path,
        log=tmp_path / "a.log",
    )
    # When it is stopped
    killed = processes.stop(process.pid, timeout=5)
    # Then SIGTERM was enough
    assert killed is False
    assert not pidfiles.is_alive(process.pid)


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(tmp_path: Path) -> None:
    # Given a detached process that ignores SIGTERM
    log = tmp_path / "stubborn.log"
    process = processes.spawn([sys.executable, "-c", IGNORES_SIGTERM], env=dict(os.environ), cwd=tmp_path, log=log)
    wait_for_log(log, "ready")
    # When it is stopped with a short grace period
    started = time.monotonic()
    killed = processes.stop(process.pid, timeout=0.5)
    # Then it was killed soon after the grace period
    assert killed is True
    assert not pidfiles.is_alive(process.pid)
    assert time.monotonic() - started < 5


def test_stopping_a_process_that_is_gone_is_fine(tmp_path: Path) -> None:
    # Given a process that has already exited (not yet reaped, so its PID cannot be reused meanwhile)
    process = processes.spawn(
        [sys.executable, "-c", "pass"], env=dict(os.environ), cwd=tmp_path, log=tmp_path / "b.log"
    )
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    # When / Then stopping it neither raises nor reports a kill
    assert processes.stop(process.pid, timeout=1) is False


def test_isolated_settings_move_every_port_including_prometheus_and_the_metrics_ports(tmp_path: Path) -> None:
    # Given the default settings' ports
    defaults = LocalSettings()
    names = [name for name in LocalSettings.model_fields if name.endswith("_port")]
    # When isolated settings are made for a platform beside the developer's
    isolated = processes.isolated_settings(tmp_path)
    # Then every port is a different, free one, none of them a default, and state goes to the given directory
    ports = [getattr(isolated, name) for name in names]
    assert {"prometheus_port", "login_metrics_port", "order_metrics_port"} <= set(names)
    assert len(set(ports)) == len(ports)
    assert all(getattr(isolated, name) != getattr(defaults, name) for name in names)
    assert isolated.run_dir == tmp_path.resolve()
