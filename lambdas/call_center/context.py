"""A Lambda context the handler can always use: the real one, or a stand-in when a caller passes something else.

Powertools reads ``function_name``, ``memory_limit_in_mb``, ``invoked_function_arn`` and ``aws_request_id``; the
handler reads ``get_remaining_time_in_millis``. Connect always passes the real context; tests and tools may not.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

REQUIRED = ("function_name", "memory_limit_in_mb", "invoked_function_arn", "aws_request_id")


@dataclass
class FallbackContext:
    function_name: str = "call-center"
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:000000000000:function:call-center"
    timeout_seconds: float = 5.0
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._started + self.timeout_seconds - time.monotonic()) * 1000))


def usable(context: Any) -> Any:
    """``context`` if it looks like Lambda's, else a :class:`FallbackContext`."""
    has_all = all(hasattr(context, name) for name in REQUIRED)
    return (
        context if has_all and callable(getattr(context, "get_remaining_time_in_millis", None)) else FallbackContext()
    )
