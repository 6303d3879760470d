"""summary.json: the contract's fields, computed from Locust's figures and the reconciliation."""

from __future__ import annotations

from loadgen.reconcile import Reconciliation
from loadgen.summary import final_summary, locust_result
from loadgen.thresholds import EndpointStats, Thresholds

CONTRACT = [
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
]


def result(**overrides: object) -> dict[str, object]:
    endpoints = [
        EndpointStats(name="GET /api/menu", requests=150, failures=1, p95_ms=40.4),
        EndpointStats(name="POST /api/orders", requests=50, failures=0, p95_ms=120.6),
        EndpointStats(name="GET /api/orders/{id}", requests=0, failures=0, p95_ms=0),
    ]
    arguments: dict[str, object] = {
        "profile": "smoke",
        "workers": 2,
        "users": 10,
        "started_at": 1000.0,
        "last_request_at": 1040.0,
        "endpoints": endpoints,
        "thresholds": Thresholds(),
    }
    return locust_result(**{**arguments, **overrides})  # type: ignore[arg-type]


def reconciliation(lost: int = 0) -> Reconciliation:
    return Reconciliation(
        customers=10,
        orders_created=12,
        orders_found=12 - lost,
        orders_lost=lost,
        orders_duplicated=0,
        orders_unconfirmed=0,
        cancellations_confirmed=2,
        cancellations_mismatched=0,
        problems=("lost one",) if lost else (),
    )


def test_given_a_run_then_the_summary_starts_with_the_contract_fields_in_order() -> None:
    summary = final_summary(result(), reconciliation())
    assert list(summary)[: len(CONTRACT)] == CONTRACT


def test_given_locust_figures_then_ratios_rates_and_p95_per_endpoint_are_derived() -> None:
    summary = final_summary(result(), reconciliation())
    assert (summary["requests"], summary["failures"], summary["fail_ratio"]) == (200, 1, 0.005)
    assert (summary["duration_s"], summary["rps"]) == (40.0, 5.0)
    # An endpoint that was never called has no p95 to show
    assert summary["p95_ms"] == {"GET /api/menu": 40, "POST /api/orders": 121}
    assert summary["thresholds_passed"] is True
    assert summary["passed"] is True


def test_given_a_lost_order_then_the_thresholds_pass_but_the_run_does_not() -> None:
    summary = final_summary(result(), reconciliation(lost=1))
    assert summary["thresholds_passed"] is True
    assert (summary["orders_lost"], summary["reconciled"], summary["passed"]) == (1, False, False)
    assert summary["reconciliation_problems"] == ["lost one"]


def test_given_a_violated_threshold_then_the_run_fails_and_says_why() -> None:
    summary = final_summary(result(thresholds=Thresholds(default_p95_ms=100)), reconciliation())
    assert (summary["thresholds_passed"], summary["passed"]) == (False, False)
    assert summary["violations"] == ["POST /api/orders: p95 121 ms above 100 ms"]


def test_given_no_request_then_rates_are_zero_not_an_error() -> None:
    empty = result(endpoints=[], last_request_at=None)
    assert (empty["requests"], empty["fail_ratio"], empty["rps"], empty["duration_s"]) == (0, 0.0, 0.0, 0.0)
    assert empty["thresholds_passed"] is False
