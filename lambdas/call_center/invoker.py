"""Calls the real handler in-process as Amazon Connect would, with fault injection (error, timeout, throttling).

The invocation counts as timed out when it takes longer than the block's limit or the function's own timeout.
The interpreter retries failed and throttled attempts as Connect does; ``throttles=N`` makes the first N attempts
come back throttled (429), each costing ``THROTTLE_MS`` of the block's time.
``at`` reaches the handler through ``CALL_CENTER_FIXED_TIME`` (see :mod:`clock`), only for the invocation.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from lambdas.call_center.clock import FIXED_TIME_VARIABLE
from lambdas.call_center.context import FallbackContext
from lambdas.call_center.interpreter import LambdaResult

Fault = Literal["error", "timeout"]
# Connect's limit on a Lambda response (32 KB), measured on its serialized JSON. Not confirmed: the docs searched
# (APIReference/interactions-invokelambdafunction.html, adminguide/invoke-lambda-function-block.html) state no number.
MAX_RESPONSE_BYTES = 32 * 1024
THROTTLE_MS = 100.0


def response_bytes(answer: Any) -> int:
    """The size of the response as Connect receives it: the compact JSON, UTF-8."""
    return len(json.dumps(answer, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))


class HandlerInvoker:
    def __init__(
        self, *, at: datetime, function_timeout_seconds: int | None, fault: str | None = None, throttles: int = 0
    ) -> None:
        if fault not in (None, "error", "timeout"):
            raise ValueError(f"unknown fault {fault!r}")
        self._at = at
        self._function_timeout = function_timeout_seconds
        self._fault = fault
        self._throttles = throttles
        self.attempts = 0

    def __call__(self, *, arn: str, event: dict[str, Any], limit_seconds: int) -> LambdaResult:
        self.attempts += 1
        if self.attempts <= self._throttles:
            return LambdaResult(outcome="throttled", elapsed_ms=THROTTLE_MS, detail="injected: TooManyRequests (429)")
        limit = min(limit_seconds, self._function_timeout or limit_seconds)
        if self._fault == "error":
            return LambdaResult(outcome="error", elapsed_ms=0.0, detail="injected: the invocation failed")
        if self._fault == "timeout":
            return LambdaResult(
                outcome="timeout", elapsed_ms=limit * 1000.0, detail=f"injected: no answer in {limit} s"
            )
        from lambdas.call_center.handler import handler  # imported on first use: the CLI sets the environment first

        name = arn.rsplit(":", 1)[-1]
        context = FallbackContext(function_name=name, invoked_function_arn=arn, timeout_seconds=float(limit))
        started = time.perf_counter()
        try:
            with _fixed_time(self._at):
                answer = handler(event, context)
        except Exception as error:  # noqa: BLE001 - a raising handler is a failed invocation for Connect
            elapsed = (time.perf_counter() - started) * 1000
            return LambdaResult(
                outcome="error", elapsed_ms=elapsed, detail=f"the handler raised {type(error).__name__}"
            )
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > limit * 1000:
            return LambdaResult(outcome="timeout", elapsed_ms=elapsed, detail=f"answered after the {limit} s limit")
        if response_bytes(answer) > MAX_RESPONSE_BYTES:
            return LambdaResult(outcome="invalid_response", elapsed_ms=elapsed, detail="response above 32 KB")
        return LambdaResult(outcome="ok", elapsed_ms=elapsed, attributes=answer)


@contextmanager
def _fixed_time(at: datetime) -> Iterator[None]:
    previous = os.environ.get(FIXED_TIME_VARIABLE)
    os.environ[FIXED_TIME_VARIABLE] = at.isoformat()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(FIXED_TIME_VARIABLE, None)
        else:
            os.environ[FIXED_TIME_VARIABLE] = previous
