"""The release check's Job, run on the laptop as its container would run it: the rendered ``release-smoke``
AnalysisTemplate's args and env (``{{args.*}}`` substituted) on the image's entrypoint, one Locust process.

Its exit code is the analysis metric (0: Job complete -> Successful), its order calls go to the order URL it is
given while tokens come from the gateway, its customers are findable by their emails, and every order they still
held as RECEIVED when they stopped is cancelled (withdrawn from the co-purchase statistics)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from k8s.manifests import render
from local.platform import Platform
from local.settings import REPO_ROOT
from tests.e2e.test_load import read_records

pytestmark = pytest.mark.e2e

LOADGEN = REPO_ROOT / "containers" / "loadgen"
LOCUSTFILE = LOADGEN / "loadgen" / "locustfile.py"
HOLD_S = 15


def job_container() -> dict[str, Any]:
    template = next(d for d in render("overlays/dev") if d["metadata"]["name"] == "release-smoke")
    (metric,) = template["spec"]["metrics"]
    (container,) = metric["provider"]["job"]["spec"]["template"]["spec"]["containers"]
    return dict(container)


def job_command(platform: Platform, directory: Path, **overrides: str) -> tuple[list[str], dict[str, str]]:
    """The Job's container on the laptop: the image's entrypoint (``locust --locustfile ...``), the Job's args, and
    its env with the args a Rollout would pass (gateway and order URLs: the local services; a short hold)."""
    container = job_container()
    args = {"gateway-url": platform.login_url, "order-url": platform.order_url, "hold-seconds": str(HOLD_S)}
    env = {
        item["name"]: re.sub(r"\{\{\s*args\.([a-z-]+)\s*\}\}", lambda m: args[m[1]], item["value"])
        for item in container["env"]
    }
    env.update(LOAD_DIR=str(directory), **overrides)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("LOAD_") and k not in ("PYTHONPATH",)}
    command = [sys.executable, "-m", "locust", "--locustfile", str(LOCUSTFILE), *container["args"]]
    return command, {**inherited, "PYTHONPATH": str(LOADGEN), "NO_PROXY": "127.0.0.1,localhost", **env}


def test_given_the_release_checks_job_then_it_passes_orders_the_given_url_and_cancels_what_it_ordered(
    platform: Platform, tmp_path: Path
) -> None:
    command, env = job_command(platform, tmp_path)
    started = time.monotonic()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    elapsed = time.monotonic() - started
    # Then it exits 0 (the metric's Successful) after holding its customers for the hold
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert elapsed >= HOLD_S
    result = json.loads((tmp_path / "locust.json").read_text(encoding="utf-8"))
    assert result["thresholds_passed"] is True
    assert result["users"] == 10
    # And the order service was called at the given URL (its own paths), tokens came from the gateway
    labels = set(result["p95_ms"])
    assert {"POST /auth/signup", "POST /auth/login", "GET /menu"} <= labels
    assert not {label for label in labels if label.startswith(("GET /api/orders", "POST /api/orders", "GET /api/menu"))}
    # And its customers are identifiable by their emails
    records = read_records(tmp_path)
    customers = {row["customer_id"] for row in records if row["kind"] == "customer"}
    assert len(customers) == 10
    resource = platform.resource("dynamodb")
    people = resource.Table(platform.table_name("customers"))
    for customer_id in customers:
        item = people.get_item(Key={"customer_id": customer_id}, ConsistentRead=True)["Item"]
        assert re.fullmatch(r"release-check-[0-9a-f]{8}-w0-[0-9]+@load\.example\.com", str(item["email"]))
    # And none of their orders is left RECEIVED: each was cancelled when its customer stopped
    orders = resource.Table(platform.table_name("orders"))
    statuses = []
    for customer_id in customers:
        items = orders.query(KeyConditionExpression=Key("customer_id").eq(customer_id), ConsistentRead=True)["Items"]
        statuses += [str(item["status"]) for item in items if not str(item["order_id"]).startswith("idem#")]
    assert statuses, "the smoke customers placed no order"
    assert set(statuses) == {"CANCELLED"}


def test_given_the_job_without_its_order_url_then_it_fails_at_once_as_misconfigured(
    platform: Platform, tmp_path: Path
) -> None:
    command, env = job_command(platform, tmp_path, LOAD_ORDER_URL="")
    started = time.monotonic()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    # Exit 2 (the metric's Failed) within seconds, not after the whole hold with customers that cannot start
    assert completed.returncode == 2, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert time.monotonic() - started < HOLD_S
    assert "LOAD_ORDER_URL" in completed.stderr
