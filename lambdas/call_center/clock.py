"""The time of a call. The simulator fixes it (``--at``) through ``CALL_CENTER_FIXED_TIME``, which is honoured
only outside the Lambda runtime: a deployed function always uses the real clock, whatever its environment says."""

from __future__ import annotations

import os
from datetime import UTC, datetime

FIXED_TIME_VARIABLE = "CALL_CENTER_FIXED_TIME"
LAMBDA_RUNTIME_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"  # set by the Lambda runtime in every function


def now() -> datetime:
    fixed = os.environ.get(FIXED_TIME_VARIABLE)
    if fixed and LAMBDA_RUNTIME_VARIABLE not in os.environ:
        try:
            at = datetime.fromisoformat(fixed)
        except ValueError:
            return datetime.now(UTC)
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return datetime.now(UTC)
