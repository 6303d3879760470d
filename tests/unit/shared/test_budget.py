"""The time budget: what is left, waits bounded by it, and the client chosen by whether a retry still fits."""

from __future__ import annotations

import threading

import pytest

from lambdas.shared.budget import (
    RETRY_NEEDS_MS,
    RETRYING,
    SINGLE_ATTEMPT,
    Budget,
    BudgetedClient,
    BudgetExceeded,
    Parallel,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_counts_down_and_keeps_clear_of_the_lambda_timeout() -> None:
    clock = Clock()
    budget = Budget(3000, lambda_remaining_ms=lambda: 2000, safety_ms=500, clock=clock)
    assert budget.remaining_ms() == 1500  # the Lambda's own timeout is nearer than the budget
    roomy = Budget(3000, lambda_remaining_ms=lambda: 60_000, safety_ms=500, clock=clock)
    clock.now += 1.0
    assert roomy.remaining_ms() == pytest.approx(2000)
    clock.now += 5.0
    assert roomy.remaining_ms() == 0


def test_a_retry_is_allowed_only_while_a_failed_attempt_the_backoff_and_a_second_attempt_fit() -> None:
    assert RETRYING.retries == {"mode": "standard", "total_max_attempts": 2}
    assert SINGLE_ATTEMPT.retries == {"mode": "standard", "total_max_attempts": 1}
    clock = Clock()
    client = BudgetedClient("retrying", "single")
    client.use(Budget(3000, clock=clock))
    assert client.pick() == "retrying"
    clock.now += (3000 - RETRY_NEEDS_MS + 1) / 1000
    assert client.pick() == "single"


def test_a_call_is_given_up_when_the_budget_runs_out_and_answers_inside_it_come_back() -> None:
    parallel, release = Parallel(workers=2), threading.Event()
    slow = parallel.submit(release.wait, 5)
    with pytest.raises(BudgetExceeded):
        parallel.wait(slow, Budget(50))
    assert parallel.wait(parallel.submit(lambda: 42), Budget(1000)) == 42
    parallel.settle(slow, Budget(10))  # neither raises nor waits past the budget
    release.set()
