"""Memory and throughput of the login gateway under a burst of logins, next to the login pod's memory limit.

    .venv/bin/python -m benchmarks.login_burst [--burst 40]

Starts an isolated local platform on free ports (the same code as ``make up``), signs up one customer, then
sends two bursts of ``--burst`` concurrent ``POST /auth/login``: first for unknown emails (each still costs a
password hash), then with the right password for the one real account. While each burst runs, the login
process's resident memory is sampled from ``/proc/<pid>/status``; the figures are printed beside the
``resources.limits.memory`` of ``k8s/base/login/deployment.yaml``. Figures, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from local import pidfiles
from local.platform import Platform
from local.processes import isolated_settings
from local.settings import REPO_ROOT

DEPLOYMENT = REPO_ROOT / "k8s" / "base" / "login" / "deployment.yaml"


def rss_kib(pid: int) -> int:
    """Current resident set size of ``pid`` in KiB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class PeakSampler:
    """Samples a process's RSS every few milliseconds in a thread and keeps the highest value."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self._pid, self._interval = pid, interval
        self.peak_kib = rss_kib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self._pid))
            time.sleep(self._interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Burst:
    name: str
    before_kib: int = 0
    peak_kib: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    slowest: float = 0.0

    @property
    def logins_per_second(self) -> float:
        return sum(self.statuses.values()) / self.seconds if self.seconds else 0.0


async def burst(client: httpx.AsyncClient, url: str, pid: int, name: str, bodies: list[dict[str, str]]) -> Burst:
    result = Burst(name=name, before_kib=rss_kib(pid))

    async def one(body: dict[str, str]) -> None:
        started = time.perf_counter()
        response = await client.post(url, json=body)
        result.slowest = max(result.slowest, time.perf_counter() - started)
        result.statuses[response.status_code] += 1

    with PeakSampler(pid) as sampler:
        started = time.perf_counter()
        await asyncio.gather(*(one(body) for body in bodies))
        result.seconds = time.perf_counter() - started
    result.peak_kib = sampler.peak_kib
    return result


async def run(platform: Platform, size: int) -> list[Burst]:
    record = pidfiles.read(pidfiles.pid_path(platform.settings.run_dir, "login"))
    assert record is not None, "the login process has no PID file"
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        email = f"burst-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "burst-password", "name": "Burst", "phone": "010-2222-3333"}
        (await client.post(f"{platform.login_url}/auth/signup", json=body)).raise_for_status()
        url = f"{platform.login_url}/auth/login"
        unknown = [{"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": "wrong-pass"} for _ in range(size)]
        known = [{"email": email, "password": body["password"]} for _ in range(size)]
        return [
            await burst(client, url, record.pid, f"{size} logins, unknown emails", unknown),
            await burst(client, url, record.pid, f"{size} logins, one real account", known),
        ]


def pod_memory_limit() -> str:
    deployment = yaml.safe_load(DEPLOYMENT.read_text(encoding="utf-8"))
    (container,) = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "login"]
    return str(container["resources"]["limits"]["memory"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tlj-bench-") as run_dir:
        settings = isolated_settings(Path(run_dir))
        platform = Platform(settings, out=sys.stderr)
        try:
            platform.up()
            results = asyncio.run(run(platform, args.burst))
        finally:
            platform.down()
    print(f"login pod memory limit (k8s/base/login/deployment.yaml): {pod_memory_limit()}")
    print(f"{'burst':<34} {'RSS before':>11} {'peak RSS':>10} {'logins/s':>9} {'slowest':>8}  statuses")
    for r in results:
        statuses = ", ".join(f"{code}x{count}" for code, count in sorted(r.statuses.items()))
        print(
            f"{r.name:<34} {r.before_kib / 1024:>8.0f} MiB {r.peak_kib / 1024:>6.0f} MiB "
            f"{r.logins_per_second:>9.1f} {r.slowest:>7.2f}s  {statuses}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
