"""Warm latency of the call-center handler on the local platform's emulator next to a bare DynamoDB query.

    .venv/bin/python -m benchmarks.call_center_latency [--calls 300]

Starts the local platform's emulator alone (moto server on a free port, tables and menu from the same bootstrap as
``make up``), seeds the demo customer, an order and some co-purchase statistics, then interleaves in one run:

* the handler for the demo customer (the Orders and Customers by-phone queries in parallel, then the customer's
  own history; the shared statistics and the catalog are cached when warm),
* the handler for an unknown caller (the two by-phone queries in parallel, general recommendations),
* one bare Orders by-phone query (``Limit 1``) with the handler's own client.

All three go over HTTP to the same emulator; the handler runs in-process exactly as the simulator calls it, with its
logs and metrics written to /dev/null and tracing as in Lambda (``LAMBDA_TASK_ROOT`` set, no trace header: the
provider builds subsegments and sends none). Prints p50/p99 per case, the handler/bare ratios and how many DynamoDB
requests one warm call makes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from local.platform import Platform
from local.processes import free_ports
from local.settings import LocalSettings

PHONE, UNKNOWN = "+821012345678", "+821099998888"
ARN = "arn:aws:lambda:ap-northeast-2:123456789012:function:tlj-local-call-center"


def seed() -> None:
    from lambdas.call_center.repository import clients
    from lambdas.recommendation.models import Basket, Change
    from lambdas.recommendation.repository import DynamoStatsStore
    from lambdas.recommendation.stats import contribution
    from lambdas.shared.dynamodb import to_item

    dynamodb = clients().retrying
    now = datetime.now(UTC)
    order = {
        "customer_id": "bench-customer",
        "order_id": "01JVB5S4K3M8N6P2Q7R9TW7K2X",
        "status": "BAKING",
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "phone": PHONE,
        "customer_name": "김지우",
        "lines": [{"sku": "PST-001", "name": "Butter Croissant", "quantity": 1, "unit_price": 3500}],
        "total": 3500,
    }
    dynamodb.put_item(TableName="tlj-local-orders", Item=to_item(order))
    store = DynamoStatsStore(dynamodb, "tlj-local-recommendations")
    baskets = [("PST-001", "DRK-001"), ("PST-001", "BRD-001", "DRK-002"), ("CKE-001",), ("SND-001", "DRK-001")] * 5
    for index, skus in enumerate(baskets):
        at = (now - timedelta(hours=index)).replace(tzinfo=None)
        store.apply(Change(scope=f"bench#{index}", sign=1, deltas=contribution(Basket(skus=frozenset(skus), at=at))))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


requests: dict[str, int] = {}  # DynamoDB requests per call of each case (warm: the catalog is cached)


def measure(calls: int) -> dict[str, list[float]]:
    from lambdas.call_center.context import FallbackContext
    from lambdas.call_center.handler import handler
    from lambdas.call_center.repository import clients
    from lambdas.call_center.telemetry import logger

    devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    logger.registered_handler.setStream(devnull)  # type: ignore[attr-defined]

    def event(phone: str) -> dict[str, Any]:
        contact = {"CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"}, "Attributes": {}}
        return {"Name": "ContactFlowEvent", "Details": {"ContactData": contact, "Parameters": {"lang": "ko"}}}

    dynamodb = clients().retrying  # the handler's first calls go to this client: same timeouts, same retries
    query = {
        "TableName": "tlj-local-orders",
        "IndexName": "by-phone",
        "KeyConditionExpression": "phone = :phone",
        "ExpressionAttributeValues": {":phone": {"S": PHONE}},
        "ScanIndexForward": False,
        "Limit": 1,
    }
    cases: dict[str, Callable[[], Any]] = {
        "handler, known caller": lambda: handler(event(PHONE), FallbackContext(invoked_function_arn=ARN)),
        "handler, unknown caller": lambda: handler(event(UNKNOWN), FallbackContext(invoked_function_arn=ARN)),
        "bare by-phone query": lambda: dynamodb.query(**query),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    sent: list[str] = []
    for each in (clients().retrying, clients().single_attempt):
        each.meta.events.register("before-send.dynamodb", lambda **kw: sent.append(kw["request"].url))
    with contextlib.redirect_stdout(devnull):
        for call in cases.values():  # warm: connections, catalog cache, code paths
            for _ in range(20):
                call()
        answer = cases["handler, known caller"]()
        if answer["has_order"] != "true" or "error" in answer:
            raise SystemExit(f"the handler did not find the seeded order: {answer}")
        for name, call in cases.items():
            sent.clear()
            call()
            requests[name] = len(sent)
        for _ in range(calls):
            for name, call in cases.items():
                started = time.perf_counter()
                call()
                samples[name].append((time.perf_counter() - started) * 1000)
    devnull.close()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300, help="per case, interleaved")
    args = parser.parse_args(argv)
    (aws_port,) = free_ports(1)
    with tempfile.TemporaryDirectory() as run_dir:
        platform = Platform(LocalSettings(aws_port=aws_port, run_dir=Path(run_dir)))
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": platform.aws_url,
                "AWS_DEFAULT_REGION": "ap-northeast-2",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "LAMBDA_TASK_ROOT": str(Path(__file__).resolve().parent.parent),
            }
        )
        try:
            platform.start("aws")
            seed()
            samples = measure(args.calls)
        finally:
            platform.stop("aws")
    bare = samples["bare by-phone query"]
    summary: dict[str, Any] = {"calls_per_case": args.calls}
    for name, values in samples.items():
        summary[name] = {
            "p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(percentile(values, 0.99), 2),
            "p50_vs_bare": round(statistics.median(values) / statistics.median(bare), 2),
            "p99_vs_bare": round(percentile(values, 0.99) / percentile(bare, 0.99), 2),
            "dynamodb_requests": requests[name],
        }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
