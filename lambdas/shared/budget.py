"""A time budget for one invocation, and AWS calls that keep to it.

* :class:`Budget`: what is left of the invocation's budget (and of the Lambda's own remaining time).
* :class:`Parallel`: a thread pool made at init; :meth:`Parallel.wait` waits for a call at most what is left, then
  gives up on it (the call finishes in the background and its answer is dropped).
* :class:`BudgetedClient`: two botocore clients made at init with the same timeouts and a different number of
  attempts; each call goes to the retrying one only while a retry still fits in what is left.

botocore's retry ``Config`` (boto3 guide, "Retries"): ``total_max_attempts`` counts the first call; before the
second attempt the standard mode waits up to 1 s after throttling (25 ms after other DynamoDB errors in botocore
1.43; 1 s for every error in older releases: botocore ``retries/standard.py``, ``ExponentialBackoff``), so a retry
needs a failed attempt, up to a second of backoff and a second attempt. ``connect_timeout`` and
``read_timeout`` bound each socket operation, not the call (botocore ``Config`` reference), hence the bounded wait.
Low-level clients are thread-safe and may be shared by the pool's threads; sessions are not, so both clients are
made up front in one thread (boto3 guide, "Multithreading or multiprocessing with clients").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from botocore.config import Config

T = TypeVar("T")

CONNECT_TIMEOUT_S = 0.25
READ_TIMEOUT_S = 0.6
MAX_FIRST_BACKOFF_MS = 1000  # standard mode, throttled: random(0, 1) * 1 s before the second attempt
ATTEMPT_MS = (CONNECT_TIMEOUT_S + READ_TIMEOUT_S) * 1000
RETRY_NEEDS_MS = 2 * ATTEMPT_MS + MAX_FIRST_BACKOFF_MS  # 2.7 s: a failed attempt, the backoff, a second attempt
RETRYING = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=READ_TIMEOUT_S,
    retries={"mode": "standard", "total_max_attempts": 2},
)
SINGLE_ATTEMPT = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=READ_TIMEOUT_S,
    retries={"mode": "standard", "total_max_attempts": 1},
)


class BudgetExceeded(TimeoutError):
    """The budget ran out before the call answered."""


class Budget:
    """``total_ms`` from now, and never closer than ``safety_ms`` to the Lambda's own timeout."""

    def __init__(
        self,
        total_ms: float,
        *,
        lambda_remaining_ms: Callable[[], float] | None = None,
        safety_ms: float = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._end = clock() + total_ms / 1000
        self._lambda_remaining = lambda_remaining_ms
        self._safety = safety_ms

    def remaining_ms(self) -> float:
        left = (self._end - self._clock()) * 1000
        if self._lambda_remaining is not None:
            left = min(left, float(self._lambda_remaining()) - self._safety)
        return max(0.0, left)


UNLIMITED = Budget(float("inf"))


class Parallel:
    """Independent calls at the same time, each awaited for at most what is left of a budget."""

    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lookup")

    def submit(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        return self._pool.submit(call, *args, **kwargs)

    @staticmethod
    def wait(future: Future[T], budget: Budget) -> T:
        try:
            return future.result(timeout=budget.remaining_ms() / 1000)
        except FutureTimeout:
            raise BudgetExceeded("the time budget ran out before the call answered") from None

    @staticmethod
    def done_within(future: Future[Any], ms: float) -> bool:
        """Whether ``future`` is done (answered or failed) within ``ms``."""
        return bool(wait([future], timeout=ms / 1000).done)

    @staticmethod
    def settle(future: Future[Any], budget: Budget) -> None:
        """Wait until ``future`` is done (answered or failed) or the budget is spent, whichever comes first."""
        wait([future], timeout=budget.remaining_ms() / 1000)


class BudgetedClient:
    """Stands in for a botocore client (``query``, ``scan``, ...), choosing per call by the current budget."""

    def __init__(self, retrying: Any, single_attempt: Any, *, retry_needs_ms: float = RETRY_NEEDS_MS) -> None:
        self.retrying = retrying
        self.single_attempt = single_attempt
        self._retry_needs_ms = retry_needs_ms
        self.budget = UNLIMITED

    def use(self, budget: Budget) -> None:
        """The budget of the invocation that starts now (one at a time per execution environment)."""
        self.budget = budget

    def pick(self) -> Any:
        return self.retrying if self.budget.remaining_ms() >= self._retry_needs_ms else self.single_attempt

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pick(), name)
