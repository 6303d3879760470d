"""benchmarks.capacity's pure parts: the step schedule, CPU aggregation, and the verdicts drawn from measured steps."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from benchmarks.capacity import (
    CpuFigure,
    Step,
    aggregate,
    capacity,
    endpoint_key,
    failure_kinds,
    grouped,
    in_window,
    parse_steps,
    result,
    saturation,
    step_from_summary,
    step_schedule,
)


def step(users: int, target: str = "gateway", *, holds: bool = True, failures: int = 0, **cpu: float) -> Step:
    return Step(
        users=users,
        target=target,
        requests=100 * users,
        failures=failures,
        rps=users * 0.4,
        p95_ms={"POST /orders": 40.0 if target == "gateway" else 20.0},
        passed=holds,
        problems=() if holds else ("GET /menu: p95 1500 ms above 1000 ms",),
        cpu={name.replace("_", "-"): CpuFigure(mean=value, peak=value) for name, value in cpu.items()},
    )


# --- the schedule ----------------------------------------------------------------------------------------------


def test_given_a_start_and_a_cap_then_users_double_up_to_the_cap_and_never_past_it() -> None:
    assert step_schedule(5, 40) == (5, 10, 20, 40)
    assert step_schedule(5, 79) == (5, 10, 20, 40)
    assert step_schedule(3, 3) == (3,)


def test_given_a_small_factor_then_every_step_still_adds_at_least_one_user() -> None:
    assert step_schedule(1, 4, factor=1.2) == (1, 2, 3, 4)


@pytest.mark.parametrize(("start", "cap", "factor"), [(0, 10, 2.0), (10, 5, 2.0), (5, 40, 1.0)])
def test_given_an_impossible_schedule_then_it_is_refused(start: int, cap: int, factor: float) -> None:
    with pytest.raises(ValueError, match="start"):
        step_schedule(start, cap, factor)


def test_given_steps_on_the_command_line_then_they_are_sorted_and_deduplicated() -> None:
    assert parse_steps("20, 5,10,5,") == (5, 10, 20)


@pytest.mark.parametrize("text", ["", "0,5", "five", "5;10"])
def test_given_bad_steps_then_the_message_names_the_option(text: str) -> None:
    with pytest.raises(ValueError, match="--steps"):
        parse_steps(text)


# --- CPU sampling ----------------------------------------------------------------------------------------------


def test_given_samples_then_each_process_gets_its_mean_and_peak_over_the_samples_it_appears_in() -> None:
    samples = [
        {"gateway": 50.0, "order": 10.0},
        {"gateway": 100.0, "order": 20.0, "locust-master": 4.0},
        {"gateway": 60.0, "order": 30.0, "locust-master": 6.0},
    ]
    figures = aggregate(samples)
    assert figures["gateway"] == CpuFigure(mean=70.0, peak=100.0)
    assert figures["order"] == CpuFigure(mean=20.0, peak=30.0)
    # A Locust process that started after the first sample is averaged over its own samples, not diluted by zeros
    assert figures["locust-master"] == CpuFigure(mean=5.0, peak=6.0)


def test_given_the_load_start_then_only_the_samples_of_the_load_count() -> None:
    # Given a sample a second from t=10, and the Locust workers seen at t=12.5, for 3 s of load
    times = [10.0 + index for index in range(8)]
    # Then the start-up before and the drain after are left out
    assert in_window(times, 12.5, 3.0) == [3, 4, 5]
    # And when no worker was ever seen, every sample counts
    assert in_window(times, None, 3.0) == list(range(8))


def test_given_no_sample_then_there_is_no_figure() -> None:
    assert aggregate([]) == {}


def test_given_a_master_and_workers_then_the_table_sums_them_as_locust() -> None:
    cpu = {
        "gateway": CpuFigure(mean=70.0, peak=90.0),
        "locust-master": CpuFigure(mean=5.0, peak=6.0),
        "locust-worker-1": CpuFigure(mean=40.0, peak=50.0),
        "locust-worker-2": CpuFigure(mean=35.5, peak=45.0),
    }
    assert grouped(cpu) == {"gateway": 70.0, "locust": 80.5}


# --- measured steps --------------------------------------------------------------------------------------------


def summary(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "requests": 400,
        "failures": 0,
        "rps": 8.0,
        "p95_ms": {"GET /api/menu": 20, "POST /api/orders": 45, "GET /api/orders/{id}": 30, "POST /auth/login": 300},
        "passed": True,
        "violations": [],
        "reconciliation_problems": [],
    }
    return {**base, **overrides}


def test_given_a_summary_then_gateway_labels_become_the_order_services_paths() -> None:
    made = step_from_summary(users=10, target="gateway", summary=summary(), cpu={}, machine_cpu=50.0)
    assert made.p95_ms == {"GET /menu": 20, "POST /orders": 45, "GET /orders/{id}": 30, "POST /auth/login": 300}
    assert endpoint_key("GET /orders") == "GET /orders"
    assert made.holds


def test_given_a_passing_run_with_a_failed_request_then_the_step_does_not_hold() -> None:
    # The thresholds allow 1 % of failures; a capacity step allows none
    made = step_from_summary(users=10, target="gateway", summary=summary(failures=1), cpu={}, machine_cpu=0.0)
    assert made.passed
    assert not made.holds


def test_given_a_lost_order_then_the_step_does_not_hold_and_says_why() -> None:
    lost = summary(passed=False, reconciliation_problems=["order 01X of customer c was confirmed ... not in the table"])
    made = step_from_summary(users=10, target="direct", summary=lost, cpu={}, machine_cpu=0.0)
    assert not made.holds
    assert made.problems == ("order 01X of customer c was confirmed ... not in the table",)


def test_given_steps_then_capacity_is_the_highest_before_the_first_that_did_not_hold() -> None:
    steps = [step(5), step(10), step(20, holds=False), step(40), step(5, "direct"), step(40, "direct")]
    # 40 users via the gateway held after 20 had failed: noise on a busy machine, not capacity
    best = capacity(steps, "gateway")
    assert best is not None
    assert best.users == 10
    direct = capacity(steps, "direct")
    assert direct is not None
    assert direct.users == 40


def test_given_the_first_step_failed_then_there_is_no_capacity() -> None:
    assert capacity([step(5, holds=False), step(10)], "gateway") is None
    assert capacity([], "direct") is None


def test_given_a_python_process_at_a_core_then_it_is_named_at_the_first_step_it_saturates() -> None:
    steps = [
        step(5, gateway=30.0, order=20.0, emulator=40.0),
        step(10, gateway=60.0, order=40.0, emulator=88.0),
        step(20, gateway=95.0, order=70.0, emulator=99.0),
    ]
    verdict = saturation(steps, "gateway", cores=4)
    assert (verdict.users, verdict.process, verdict.share) == (10, "emulator", 0.88)
    assert "emulator at 10 users" in verdict.text


def test_given_prometheus_at_a_core_of_many_then_it_is_not_saturated() -> None:
    # Prometheus (Go) may use every core; a Python process only about one
    verdict = saturation([step(5, prometheus=95.0, gateway=50.0)], "gateway", cores=4)
    assert verdict.users is None
    assert verdict.process == "gateway"


def test_given_a_busy_machine_and_no_process_at_its_limit_then_the_machine_saturates() -> None:
    busy = replace(step(20, gateway=70.0, emulator=60.0, locust=30.0), machine_cpu=95.0)
    verdict = saturation([step(10, gateway=40.0), busy], "gateway", cores=2)
    assert (verdict.users, verdict.process) == (20, "machine")
    # And the verdict says how much of it was not ours: 95 % of 2 cores is 190 % of one, ours had 160
    assert "30 % of a core by processes not ours" in verdict.text
    assert "busiest of ours gateway" in verdict.text
    assert busy.other_cpu(2) == 30.0


def test_given_a_machine_full_of_other_work_then_that_step_is_contended_not_saturated() -> None:
    # Given another workload using most of the machine at 5 users (ours: 40 % of a core of 190 %)
    contended = replace(step(5, gateway=30.0, emulator=10.0), machine_cpu=95.0)
    verdict = saturation([contended, step(10, gateway=50.0)], "gateway", cores=2)
    # Then it is no verdict on the platform, and the text says so
    assert (verdict.users, verdict.process, verdict.contended) == (None, "gateway", (5,))
    assert verdict.text.endswith("at 5 users processes not ours used most of the machine")


def test_given_nothing_saturated_then_the_verdict_names_the_busiest_process_and_step() -> None:
    steps = [step(5, gateway=20.0, order=10.0), step(10, gateway=40.0, order=60.0)]
    verdict = saturation(steps, "gateway", cores=2)
    assert (verdict.users, verdict.process, verdict.share) == (None, "order", 0.6)
    assert verdict.text == "nothing saturated up to 10 users (busiest order at 10 users: 60%)"


def test_given_steps_on_both_paths_then_the_result_has_capacities_and_ratios_from_the_same_run() -> None:
    steps = [step(5), step(5, "direct"), step(10), step(10, "direct"), step(20, holds=False), step(20, "direct")]
    data = result(steps, cores=2, settings={"steps": [5, 10, 20], "duration_s": 30.0, "workers": 2})
    assert data["capacity"] == {"gateway": {"users": 10, "rps": 4.0}, "direct": {"users": 20, "rps": 8.0}}
    assert data["capacity_at_cap"] == {"gateway": False, "direct": True}
    assert data["gateway_over_direct"] == {"users": 0.5, "rps": 0.5}
    assert data["gateway_over_direct_same_load"][0] == {"users": 5, "rps": 1.0, "p95_post_orders": 2.0}
    assert [row["holds"] for row in data["steps"]] == [True, True, True, True, False, True]


def test_given_locusts_failure_rows_then_the_commonest_are_named_first() -> None:
    rows = [
        {"Method": "GET", "Name": "GET /api/menu", "Error": "HTTP 503: busy", "Occurrences": "2"},
        {"Method": "POST", "Name": "POST /api/orders", "Error": "no answer: timeout", "Occurrences": "30"},
        {"Method": "GET", "Name": "GET /api/orders", "Error": "HTTP 504: slow", "Occurrences": "5"},
        {"Method": "GET", "Name": "GET /api/orders/{id}", "Error": "HTTP 504: slow", "Occurrences": "1"},
    ]
    assert failure_kinds(rows) == [
        "30x POST /api/orders: no answer: timeout",
        "5x GET /api/orders: HTTP 504: slow",
        "2x GET /api/menu: HTTP 503: busy",
    ]
