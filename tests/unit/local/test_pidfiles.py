"""PID files: live processes are recognised; dead, reused or corrupt records are stale and cleaned."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local import pidfiles


def dead_pid() -> int:
    """The PID of a process that has exited and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def record_for(pid: int, start_time: str | None) -> pidfiles.PidRecord:
    return pidfiles.PidRecord(pid=pid, start_time=start_time, command=("python", "-m", "thing"))


def test_a_written_record_reads_back(tmp_path: Path) -> None:
    # Given a record written to a PID file
    path = pidfiles.pid_path(tmp_path / "run", "aws")
    record = record_for(1234, "5678")
    pidfiles.write(path, record)
    # When it is read
    # Then it is the same record, in <run>/<name>.pid
    assert pidfiles.read(path) == record
    assert path == tmp_path / "run" / "aws.pid"


def test_a_live_process_is_kept(tmp_path: Path) -> None:
    # Given a PID file for this very process with its real start time
    path = tmp_path / "me.pid"
    pidfiles.write(path, record_for(os.getpid(), pidfiles.start_time(os.getpid())))
    # When the live record is asked for
    record = pidfiles.read_live(path)
    # Then it is returned and the file stays
    assert record is not None
    assert record.pid == os.getpid()
    assert path.exists()


def test_a_dead_process_makes_the_file_stale_and_it_is_removed(tmp_path: Path) -> None:
    # Given a PID file left behind by a process that has exited
    path = tmp_path / "order.pid"
    pidfiles.write(path, record_for(dead_pid(), None))
    # When the live record is asked for
    record = pidfiles.read_live(path)
    # Then there is none and the stale file is gone
    assert record is None
    assert not path.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="start times come from /proc")
def test_a_reused_pid_with_another_start_time_is_stale(tmp_path: Path) -> None:
    # Given a PID file whose PID now belongs to a different process (its start time differs)
    path = tmp_path / "login.pid"
    pidfiles.write(path, record_for(os.getpid(), "1"))
    # When the live record is asked for
    record = pidfiles.read_live(path)
    # Then that unrelated process is not taken for ours
    assert record is None
    assert not path.exists()


@pytest.mark.parametrize("content", ["", "not json", '{"pid": "abc"}', '{"no_pid": 1}', "[1, 2]"])
def test_a_corrupt_file_is_stale_and_removed(tmp_path: Path, content: str) -> None:
    # Given a PID file with unusable content
    path = tmp_path / "aws.pid"
    path.write_text(content, encoding="utf-8")
    # When / Then it reads as nothing and is cleaned
    assert pidfiles.read_live(path) is None
    assert not path.exists()


def test_a_missing_file_is_no_process(tmp_path: Path) -> None:
    # Given no PID file / When / Then
    assert pidfiles.read_live(tmp_path / "absent.pid") is None


def test_an_exited_child_counts_as_dead_and_is_reaped() -> None:
    # Given a child of this process that exits without anyone waiting for it (a zombie)
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    # When its liveness is polled
    while pidfiles.is_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Then it is reported dead, not kept alive by its zombie entry
    assert not pidfiles.is_alive(process.pid)
    process.poll()
