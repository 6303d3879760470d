"""Warm latency of ``GET /recommendations`` on the local platform, direct to the API adapter and via the gateway.

    .venv/bin/python -m benchmarks.reco_latency [--requests 300] [--orders 7500]

Starts an isolated local platform on free ports (the same code as ``make up``), loads ``--orders`` generated
orders of history through ``ingest`` (so every request reads realistic statistics: ~70 items, thousands of
pairs), signs up one customer who orders twice, warms both paths, then sends ``--requests`` sequential requests
per path with a basket of two items and prints p50/p99. "direct" is the API Gateway-shaped adapter over the
Lambda handler (what API Gateway + Lambda do in the cloud, minus the network); "gateway" adds the login gateway's
JWT check and proxy hop. "handler in process" calls the Lambda handler with the same statistics in memory:
the handler's own cost (validation, ranking, JSON), i.e. what remains when the store answers instantly. On the
laptop the store is moto, whose Query scans the whole table in Python (tens of ms per query at this size);
DynamoDB answers a key-condition query in a few ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from local.components import aws_env, table_names
from local.platform import Platform
from local.processes import isolated_settings

BASKET = "DRK-001,PST-001"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def timed(client: httpx.Client, url: str, count: int, **kwargs: object) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url, **kwargs)  # type: ignore[arg-type]
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
    return latencies


def load_history(platform: Platform, run_dir: Path, orders: int) -> str:
    history = run_dir / "history.csv"
    python = sys.executable
    subprocess.run(
        [python, "-m", "lambdas.recommendation.datagen", "--orders", str(orders), "--out", str(history)], check=True
    )
    env = {**os.environ, **aws_env(platform.settings), "RECOMMENDATIONS_TABLE": table_names()["recommendations"]}
    out = subprocess.run(
        [python, "-m", "lambdas.recommendation.ingest", "--transactions", str(history)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--orders", type=int, default=7500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as run_dir:
        settings = isolated_settings(Path(run_dir))
        platform = Platform(settings, out=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
        platform.up()
        try:
            print(f"history: {load_history(platform, Path(run_dir), args.orders)}")
            with httpx.Client(base_url=platform.login_url, timeout=10.0, trust_env=False) as http:
                email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "pretzel-" + uuid.uuid4().hex[:8]
                signup = {"email": email, "password": password, "name": "Bench", "phone": "010-3333-4444"}
                http.post("/auth/signup", json=signup).raise_for_status()
                token = http.post("/auth/login", json={"email": email, "password": password}).json()["access_token"]
                auth = {"Authorization": f"Bearer {token}"}
                customer = http.get("/api/orders", headers=auth)  # the token's subject is the customer id
                customer.raise_for_status()
                for items in (["BRD-001", "DRK-002"], ["BRD-001"]):
                    body = {"items": [{"sku": sku, "quantity": 1} for sku in items]}
                    http.post("/api/orders", json=body, headers=auth | {"Idempotency-Key": uuid.uuid4().hex})
                subject = _subject(token)
                direct = httpx.Client(base_url=platform.reco_url, timeout=10.0, trust_env=False)
                query = {"customer_id": subject, "items": BASKET, "k": "5"}
                timed(direct, "/recommendations", 30, params=query)
                timed(http, "/api/recommendations", 30, params={"items": BASKET, "k": "5"}, headers=auth)
                paths = {
                    "direct (adapter + Lambda handler)": timed(direct, "/recommendations", args.requests, params=query),
                    "via login gateway": timed(
                        http, "/api/recommendations", args.requests, params={"items": BASKET, "k": "5"}, headers=auth
                    ),
                }
                paths["handler in process, statistics in memory"] = in_process(Path(run_dir), subject, args.requests)
                print(direct.get("/recommendations", params=query).json()["items"][:2])
                for name, latencies in paths.items():
                    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
                    print(f"{name:<42} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({len(latencies)} sequential requests)")
        finally:
            platform.down()
    return 0


def in_process(run_dir: Path, customer_id: str, count: int) -> list[float]:
    """The API handler over an in-memory copy of the same history (and the seeded menu)."""
    from lambdas.recommendation import service
    from lambdas.recommendation.handler import handler
    from lambdas.recommendation.ingest import ingest
    from lambdas.recommendation.memory import MemoryStatsStore
    from lambdas.recommendation.models import CatalogItem
    from lambdas.recommendation.transactions import read_history
    from local.reco_api import LambdaContext, proxy_event
    from local.seed import load_menu

    store = MemoryStatsStore()
    ingest(store, read_history(run_dir / "history.csv", "Asia/Seoul"))
    menu = {m.sku: CatalogItem(sku=m.sku, name=m.name, name_ko=m.name_ko, available=m.available) for m in load_menu()}

    class Menu:
        def items(self) -> dict[str, CatalogItem]:
            return menu

    recommender = service.Recommender(store=store, catalog=Menu())
    service.default_recommender = lambda: recommender  # type: ignore[assignment]  # a benchmark, not the app
    target = f"/recommendations?customer_id={customer_id}&items={BASKET}&k=5"
    latencies = []
    for _ in range(count + 30):
        started = time.perf_counter()
        response = handler(proxy_event("GET", target, {}, b"", "127.0.0.1"), LambdaContext())
        latencies.append(time.perf_counter() - started)
        assert response["statusCode"] == 200
    return latencies[30:]


def _subject(token: str) -> str:
    import base64
    import json

    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


if __name__ == "__main__":
    sys.exit(main())
