"""The run's ``summary.json``: Locust's figures (written by the master when it quits) plus the reconciliation.

Contract fields (shared/ARCHITECTURE.md, "Operations commands"): ``profile, workers, users, duration_s, requests,
failures, fail_ratio, rps, p95_ms {endpoint: ms}, orders_created, orders_found, orders_lost, orders_duplicated,
thresholds_passed``; the others (thresholds, violations, customers, unconfirmed orders, cancellations, reconciled,
passed, problems) explain them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from loadgen.reconcile import Reconciliation
from loadgen.thresholds import EndpointStats, Thresholds, evaluate

RESULT_FILE = "locust.json"
RECORDS_FILE = "records.jsonl"
SUMMARY_FILE = "summary.json"


def locust_result(
    *,
    profile: str,
    workers: int,
    users: int,
    started_at: float,
    last_request_at: float | None,
    endpoints: Iterable[EndpointStats],
    thresholds: Thresholds,
) -> dict[str, Any]:
    """What the master knows when it quits; ``thresholds_passed`` decides its exit code."""
    rows = sorted(endpoints, key=lambda row: row.name)
    requests = sum(row.requests for row in rows)
    failures = sum(row.failures for row in rows)
    duration = max(0.0, (last_request_at or started_at) - started_at)
    verdict = evaluate(thresholds, rows)
    return {
        "profile": profile,
        "workers": workers,
        "users": users,
        "duration_s": round(duration, 1),
        "requests": requests,
        "failures": failures,
        "fail_ratio": round(failures / requests, 4) if requests else 0.0,
        "rps": round(requests / duration, 1) if duration else 0.0,
        "p95_ms": {row.name: round(row.p95_ms) for row in rows if row.requests},
        "thresholds_passed": verdict.passed,
        "thresholds": thresholds.as_dict(row.name for row in rows),
        "violations": list(verdict.violations),
    }


def final_summary(result: Mapping[str, Any], reconciliation: Reconciliation) -> dict[str, Any]:
    """The contract's fields first, then the details; ``passed`` is what the exit code says."""
    return {
        "profile": result["profile"],
        "workers": result["workers"],
        "users": result["users"],
        "duration_s": result["duration_s"],
        "requests": result["requests"],
        "failures": result["failures"],
        "fail_ratio": result["fail_ratio"],
        "rps": result["rps"],
        "p95_ms": result["p95_ms"],
        "orders_created": reconciliation.orders_created,
        "orders_found": reconciliation.orders_found,
        "orders_lost": reconciliation.orders_lost,
        "orders_duplicated": reconciliation.orders_duplicated,
        "thresholds_passed": result["thresholds_passed"],
        "thresholds": result["thresholds"],
        "violations": result["violations"],
        "customers": reconciliation.customers,
        "orders_unconfirmed": reconciliation.orders_unconfirmed,
        "cancellations_confirmed": reconciliation.cancellations_confirmed,
        "cancellations_mismatched": reconciliation.cancellations_mismatched,
        "reconciled": reconciliation.ok,
        "reconciliation_problems": list(reconciliation.problems),
        "passed": bool(result["thresholds_passed"]) and reconciliation.ok,
    }
