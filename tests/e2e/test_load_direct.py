"""``python -m local.load --target direct --duration S``: the customers without the gateway (benchmarks.capacity's
baseline) still sign up through it, reach the order service and the recommendation API themselves, and reconcile."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local.platform import Platform
from local.settings import REPO_ROOT
from tests.e2e.test_load import orders_in_table, platform_env, read_records

pytestmark = pytest.mark.e2e

DIRECT_LABELS = {
    "POST /auth/signup",
    "POST /auth/login",
    "GET /menu",
    "GET /recommendations",
    "POST /orders",
    "GET /orders",
    "GET /orders/{id}",
    "POST /orders/{id}/cancel",
}


def test_given_the_direct_target_then_a_short_run_calls_the_services_themselves_and_reconciles(
    platform: Platform,
) -> None:
    # When the probe profile is played in 8 s with the gateway taken out of the storefront calls
    completed = subprocess.run(
        [sys.executable, "-m", "local.load", "--profile", "probe", "--target", "direct", "--duration", "8", "--json"],
        cwd=REPO_ROOT,
        env={**os.environ, **platform_env(platform)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it passes, labelled by the services' own paths: only signup and login went through the gateway
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    summary = json.loads(completed.stdout)
    assert set(summary["p95_ms"]) <= DIRECT_LABELS
    assert {"POST /auth/signup", "POST /auth/login", "GET /menu"} <= set(summary["p95_ms"])
    assert not any("/api/" in label for label in summary["p95_ms"])
    assert summary["failures"] == 0
    # And it lasted the duration asked for, not the profile's own
    assert 6 <= summary["duration_s"] <= 20
    # And what the clients were told is what the table holds
    assert (summary["reconciled"], summary["orders_lost"], summary["orders_duplicated"]) == (True, 0, 0)
    customers = {
        row["customer_id"] for row in read_records(platform.settings.run_dir / "load") if row["kind"] == "customer"
    }
    assert len(customers) == summary["customers"] == 4
    assert orders_in_table(platform, customers) == summary["orders_found"] + summary["orders_unconfirmed"]
