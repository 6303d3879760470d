"""Latency and throughput through the login gateway versus straight to the order service, same run, loopback.

    .venv/bin/python -m benchmarks.gateway_overhead [--requests 400] [--concurrency 8]

Starts an isolated local platform on free ports (the same code as ``make up``), signs up one customer, then
for ``GET menu`` and ``POST orders`` sends the same load to both paths, interleaved in rounds so that drift on
the machine hits both alike, and prints p50/p99 latency, requests per second and the gateway/direct ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from local.platform import Platform
from local.processes import isolated_settings


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def load(client: httpx.AsyncClient, method: str, url: str, count: int, concurrency: int, **kw: object) -> Sample:
    sample = Sample()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            response = await client.request(method, url, **kw)  # type: ignore[arg-type]
            sample.latencies.append(time.perf_counter() - started)
            if response.status_code >= 400:
                sample.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    sample.seconds = time.perf_counter() - started
    return sample


async def run(platform: Platform, requests: int, concurrency: int, rounds: int) -> dict[str, Sample]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "benchmark-pass", "name": "Bench", "phone": "010-2222-3333"}
        (await client.post(f"{platform.login_url}/auth/signup", json=body)).raise_for_status()
        credentials = {"email": email, "password": body["password"]}
        token = (await client.post(f"{platform.login_url}/auth/login", json=credentials)).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        menu = (await client.get(f"{platform.order_url}/menu")).json()
        items = menu["items"] if isinstance(menu, dict) else menu
        sku = next(item["sku"] for item in items if item["available"])
        order = {"items": [{"sku": sku, "quantity": 1}]}
        cases = {
            "GET menu via gateway": ("GET", f"{platform.login_url}/api/menu", {}),
            "GET menu direct": ("GET", f"{platform.order_url}/menu", {}),
            "POST orders via gateway": ("POST", f"{platform.login_url}/api/orders", {"json": order, "headers": auth}),
            "POST orders direct": ("POST", f"{platform.order_url}/orders", {"json": order, "headers": auth}),
        }
        for method, url, kw in cases.values():  # warm-up: connections, JWKS cache, code paths
            await load(client, method, url, 20, concurrency, **kw)
        results = {name: Sample() for name in cases}
        per_round = max(1, requests // rounds)
        for _ in range(rounds):
            for name, (method, url, kw) in cases.items():
                sample = await load(client, method, url, per_round, concurrency, **kw)
                results[name].latencies += sample.latencies
                results[name].seconds += sample.seconds
                results[name].errors += sample.errors
        return results


def report(results: dict[str, Sample], concurrency: int) -> None:
    print(
        f"{'case':26s} {'n':>5s} {'p50 ms':>8s} {'p99 ms':>8s} {'req/s':>8s} {'errors':>6s}  concurrency={concurrency}"
    )
    for name, sample in results.items():
        print(
            f"{name:26s} {len(sample.latencies):5d} {sample.percentile(0.50):8.2f} {sample.percentile(0.99):8.2f}"
            f" {sample.rps:8.1f} {sample.errors:6d}"
        )
    for what in ("GET menu", "POST orders"):
        via, direct = results[f"{what} via gateway"], results[f"{what} direct"]
        print(
            f"{what}: gateway/direct p50 {via.percentile(0.5) / direct.percentile(0.5):.2f}x,"
            f" p99 {via.percentile(0.99) / direct.percentile(0.99):.2f}x, throughput {via.rps / direct.rps:.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="per case")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as run_dir:
        settings = isolated_settings(Path(run_dir))
        platform = Platform(settings)
        try:
            platform.up()
            results = asyncio.run(run(platform, args.requests, args.concurrency, args.rounds))
        finally:
            platform.down()
    report(results, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
