"""PID files under the run directory: which process is ours, and whether it is still alive.

A record keeps the process start time (Linux ``/proc``) next to the PID, so that a PID reused by an
unrelated process after a reboot or a crash is recognised as stale rather than signalled.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class PidRecord:
    pid: int
    start_time: str | None
    command: tuple[str, ...]


def pid_path(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.pid"


def log_path(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.log"


def start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` in clock ticks since boot, or None where ``/proc`` is unavailable."""
    fields = _stat_fields(pid)
    return fields[19] if fields else None


def is_alive(pid: int, expected_start_time: str | None = None) -> bool:
    """True when ``pid`` runs (not a zombie) and, if known, started at ``expected_start_time``."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # reap our own exited children so they do not linger as zombies
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel below
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process: the PID was reused
    fields = _stat_fields(pid)
    if fields is None:
        # Without /proc (e.g. macOS) the signal check is all we have; with it, a missing entry means gone.
        return not Path("/proc/self/stat").exists()
    if fields[0] in ("Z", "X"):
        return False
    return expected_start_time is None or fields[19] == expected_start_time


def write(path: Path, record: PidRecord) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"pid": record.pid, "start_time": record.start_time, "command": list(record.command)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body), encoding="utf-8")
    tmp.replace(path)


def read(path: Path) -> PidRecord | None:
    """The record in ``path``; None when the file is missing or unreadable."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return PidRecord(
            pid=int(body["pid"]),
            start_time=body.get("start_time"),
            command=tuple(str(part) for part in body.get("command", ())),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_live(path: Path) -> PidRecord | None:
    """The record of a live process, or None; a stale or corrupt PID file is removed."""
    if not path.exists():
        return None
    record = read(path)
    if record is not None and is_alive(record.pid, record.start_time):
        return record
    path.unlink(missing_ok=True)
    return None


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name: [state, ppid, ...]; starttime is index 19."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()
