"""``python -m local.load`` against an isolated local platform: Locust distributed over loopback, thresholds,
the reconciliation of every order with the Orders table, and ``summary.json`` as the contract describes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from local.platform import Platform
from local.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

CONTRACT = {
    "profile",
    "workers",
    "users",
    "duration_s",
    "requests",
    "failures",
    "fail_ratio",
    "rps",
    "p95_ms",
    "orders_created",
    "orders_found",
    "orders_lost",
    "orders_duplicated",
    "thresholds_passed",
}
LABELS = {
    "POST /auth/signup",
    "POST /auth/login",
    "GET /api/menu",
    "GET /api/recommendations",
    "POST /api/orders",
    "GET /api/orders",
    "GET /api/orders/{id}",
    "POST /api/orders/{id}/cancel",
}


def platform_env(platform: Platform) -> dict[str, str]:
    """The variables a developer would set to point the CLI at the fixture's platform."""
    settings = platform.settings
    names = [name for name in type(settings).model_fields if name.endswith("_port")]
    return {**{name.upper(): str(getattr(settings, name)) for name in names}, "TLJ_RUN_DIR": str(settings.run_dir)}


def run_load(platform: Platform, profile: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI in its own process, as `make load PROFILE=...` runs it."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "local.load", "--profile", profile, "--json"],
        cwd=REPO_ROOT,
        env={**os.environ, **platform_env(platform), **env},
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    return completed, time.monotonic() - started


def orders_in_table(platform: Platform, customer_ids: set[str]) -> int:
    table = platform.resource("dynamodb").Table(platform.table_name("orders"))
    total = 0
    for customer_id in customer_ids:
        items = table.query(
            KeyConditionExpression="customer_id = :c AND order_id < :upper",
            ExpressionAttributeValues={":c": customer_id, ":upper": "a"},
            ConsistentRead=True,
        )["Items"]
        total += len(items)
    return total


def read_records(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (directory / "records.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def smoke(platform: Platform) -> tuple[subprocess.CompletedProcess[str], float]:
    """`make load PROFILE=smoke` against the platform (already up: the CLI finds it running), once for the module."""
    return run_load(platform, "smoke")


def test_given_the_smoke_profile_then_a_distributed_run_passes_reconciles_and_writes_the_contract(
    platform: Platform, smoke: tuple[subprocess.CompletedProcess[str], float]
) -> None:
    completed, elapsed = smoke
    # Then it passes within the CI budget
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert elapsed < 90
    summary = json.loads(completed.stdout)
    directory = platform.settings.run_dir / "load"
    assert json.loads((directory / "summary.json").read_text(encoding="utf-8")) == summary
    # And the summary has the contract's fields, from one master and two workers
    assert set(summary) >= CONTRACT
    assert (summary["profile"], summary["workers"], summary["users"]) == ("smoke", 2, 10)
    assert summary["requests"] > 50
    assert summary["fail_ratio"] <= 0.01
    assert summary["thresholds_passed"] is True
    # And every request was named by its endpoint label, never by a URL with an id in it
    assert set(summary["p95_ms"]) <= LABELS
    assert {"POST /auth/signup", "POST /auth/login", "GET /api/menu", "POST /api/orders"} <= set(summary["p95_ms"])
    # And every confirmed order is in the table exactly once, with nothing extra
    assert summary["orders_created"] > 0
    assert summary["orders_found"] == summary["orders_created"]
    assert (summary["orders_lost"], summary["orders_duplicated"], summary["cancellations_mismatched"]) == (0, 0, 0)
    # And the reconciliation saw what the table holds for this run's customers
    customers = {row["customer_id"] for row in read_records(directory) if row["kind"] == "customer"}
    assert len(customers) == summary["customers"] == 10
    assert orders_in_table(platform, customers) == summary["orders_found"] + summary["orders_unconfirmed"]
    # And Locust's own reports are there
    assert (directory / "report.html").stat().st_size > 0
    assert "POST /api/orders" in (directory / "stats_stats.csv").read_text(encoding="utf-8")


def test_given_an_order_deleted_and_one_doubled_in_the_table_then_the_reconciliation_fails_the_run(
    platform: Platform, smoke: tuple[subprocess.CompletedProcess[str], float]
) -> None:
    # Given the smoke run's table, with one confirmed order deleted and an order no client was told about added
    assert smoke[0].returncode == 0, smoke[0].stderr[-3000:]
    directory = platform.settings.run_dir / "load"
    attempt = next(row for row in read_records(directory) if row["kind"] == "order" and row["order_ids"])
    table = platform.resource("dynamodb").Table(platform.table_name("orders"))
    lost = table.get_item(Key={"customer_id": attempt["customer_id"], "order_id": attempt["order_ids"][0]})["Item"]
    table.delete_item(Key={"customer_id": lost["customer_id"], "order_id": lost["order_id"]})
    table.put_item(Item={**lost, "order_id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"})
    # When the last run is reconciled again
    completed = subprocess.run(
        [sys.executable, "-m", "local.load", "--reconcile-only", "--json"],
        cwd=REPO_ROOT,
        env={**os.environ, **platform_env(platform)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then both are caught and the run fails
    assert completed.returncode == 1, completed.stderr[-3000:]
    summary = json.loads(completed.stdout)
    assert (summary["orders_lost"], summary["orders_duplicated"]) == (1, 1)
    assert (summary["reconciled"], summary["passed"]) == (False, False)
    assert any("01ZZZZZZZZZZZZZZZZZZZZZZZZ" in problem for problem in summary["reconciliation_problems"])


def test_given_an_impossible_p95_then_the_run_exits_non_zero_naming_the_slow_endpoints(platform: Platform) -> None:
    # Given a p95 limit of 1 ms for every endpoint, judged from the first request on
    completed, _ = run_load(platform, "probe", LOAD_P95_MS="1", LOAD_P95_MIN_SAMPLES="1")
    # Then the master's quitting hook fails the run, while the orders still reconcile
    assert completed.returncode == 1, completed.stderr[-3000:]
    summary = json.loads(completed.stdout)
    assert summary["thresholds_passed"] is False
    assert summary["thresholds"]["p95_ms"]["POST /auth/login"] == 1
    assert any(violation.startswith("POST /auth/signup: p95") for violation in summary["violations"])
    assert summary["reconciled"] is True
    assert summary["passed"] is False
