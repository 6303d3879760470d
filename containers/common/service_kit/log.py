"""JSON logs on stdout (``python-json-logger``), one object a line, carrying the current request's id."""

from __future__ import annotations

import logging
import sys
from typing import Any

from asgi_correlation_id import correlation_id
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

# The current request's id, set by asgi-correlation-id's middleware (service_kit.request_context).
request_id_var = correlation_id

# uvicorn configures these with plain-text handlers before importing the app; they are re-pointed at ours.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")
# uvicorn's access lines would duplicate (in plain text, without request id) the middleware's JSON ones.
_SILENCED_LOGGERS = ("uvicorn.access",)
_QUIET_LOGGERS = ("httpx", "httpcore", "botocore", "boto3")


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object: time, level, logger, message, request_id, ``extra=`` fields and ``exception``."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            timestamp="time",
            json_ensure_ascii=False,
            reserved_attrs=[*_LibraryJsonFormatter().reserved_attrs, "color_message"],
        )

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        request_id = request_id_var.get()
        if request_id:
            log_data["request_id"] = request_id


def configure_logging(level: str) -> None:
    """Send every log record (uvicorn's included) to stdout as JSON at ``level``."""
    root = logging.getLogger()
    # Idempotent: replaces the handler a previous call installed, leaves anyone else's (pytest's) alone.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h.formatter, JsonFormatter)]
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in _UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    for name in _QUIET_LOGGERS:  # one INFO line per outgoing call is noise; failures are logged by the caller
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in _SILENCED_LOGGERS:
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = False
