"""Starting and stopping detached background processes, and the port checks around them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local import pidfiles
from local.settings import HOST, LocalSettings

STOP_TIMEOUT = 10.0
_POLL_INTERVAL = 0.1


def spawn(command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own session (it survives our exit), with stdout and stderr appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        sink.write(f"\n=== {stamp} starting: {' '.join(command)}\n".encode())
        sink.flush()
        return subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(pid: int, *, timeout: float = STOP_TIMEOUT) -> bool:
    """SIGTERM the process group led by ``pid``, wait up to ``timeout`` s, then SIGKILL it.

    Returns True if it had to be killed. A process that is already gone is fine.
    """
    _signal_group(pid, signal.SIGTERM)
    if _wait_gone(pid, timeout):
        return False
    _signal_group(pid, signal.SIGKILL)
    _wait_gone(pid, STOP_TIMEOUT)
    return True


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already listens on ``host:port`` (binding fails), without connecting to it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def free_ports(count: int, host: str = HOST) -> list[int]:
    """``count`` distinct ports that were free a moment ago (the kernel picks them)."""
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((host, 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def isolated_settings(run_dir: Path, *, up_timeout: float | None = None) -> LocalSettings:
    """Settings of a local platform that can run beside another one: every port on a free one, its own run dir."""
    ports = [name for name in LocalSettings.model_fields if name.endswith("_port")]
    values: dict[str, Any] = dict(zip(ports, free_ports(len(ports)), strict=True))
    if up_timeout is not None:
        values["up_timeout"] = up_timeout
    return LocalSettings(run_dir=run_dir, **values)


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file; empty when there is none."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except OSError:
        return ""


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pidfiles.is_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_INTERVAL)
    return True
