"""Bursts of logins against the local platform's login process: bounded memory, queued (not refused) logins.

The login process's resident memory is read from ``/proc/<pid>/status`` of the PID the platform recorded.
benchmarks/login_burst.py prints the same figures; this test holds the line (issue 10).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from local import pidfiles
from local.platform import Platform

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the login process's RSS from /proc"),
]

BURST = 40
RSS_BUDGET_MIB = 200  # the login pod's limit is 256Mi (k8s/base/login/deployment.yaml)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


class Peak:
    """The highest RSS of ``pid`` seen while the block runs, sampled every 5 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.mib = pid, rss_mib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.mib = max(self.mib, rss_mib(self.pid))
            time.sleep(0.005)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def burst(url: str, bodies: list[dict[str, str]]) -> tuple[list[int], float]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(*(client.post(url, json=body) for body in bodies))
        return [a.status_code for a in answers], time.perf_counter() - started


def test_given_40_concurrent_logins_for_unknown_emails_then_40_for_one_account_then_memory_stays_bounded(
    platform: Platform,
) -> None:
    # Given the running login process and one real account
    record = pidfiles.read(pidfiles.pid_path(platform.settings.run_dir, "login"))
    assert record is not None
    email, password = f"burst-{uuid.uuid4().hex[:8]}@example.com", "burst-password"
    signup = {"email": email, "password": password, "name": "Burst", "phone": "010-2222-3333"}
    assert httpx.post(f"{platform.login_url}/auth/signup", json=signup, timeout=10).status_code == 201
    url = f"{platform.login_url}/auth/login"
    unknown = [{"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": "wrong-pass"} for _ in range(BURST)]
    known = [{"email": email, "password": password} for _ in range(BURST)]
    # When 40 logins for unknown emails arrive at once, then 40 for the real account
    with Peak(record.pid) as peak:
        unknown_statuses, _ = asyncio.run(burst(url, unknown))
        known_statuses, known_seconds = asyncio.run(burst(url, known))
    # Then every unknown email still gets the usual 401 (each cost a hash), every real login succeeds within 10 s,
    # and the process stays under its memory budget throughout
    assert unknown_statuses == [401] * BURST
    assert known_statuses == [200] * BURST
    assert known_seconds < 10
    assert peak.mib < RSS_BUDGET_MIB, f"login process peaked at {peak.mib:.0f} MiB"
