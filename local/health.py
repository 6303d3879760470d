"""Polling health URLs until every component answers 200, a process dies, or the deadline passes."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

_POLL_INTERVAL = 0.25
_REQUEST_TIMEOUT = 2.0


class HealthError(Exception):
    """``name`` did not become healthy; ``reason`` says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def is_healthy(client: httpx.Client, url: str) -> bool:
    if url.startswith("file://"):
        return _file_ready(url)
    try:
        return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def wait_healthy(urls: Mapping[str, str], *, alive: Callable[[str], bool], deadline: float) -> None:
    """Wait until each ``name -> health URL`` answers 200 before ``deadline`` (``time.monotonic()`` clock).

    ``alive(name)`` is asked on every round so that a process that crashed fails at once, not at the deadline.
    """
    pending = dict(urls)
    last_status: dict[str, str] = {}
    # trust_env=False: a proxy from the environment must never sit between us and 127.0.0.1.
    with httpx.Client(timeout=_REQUEST_TIMEOUT, trust_env=False) as client:
        while pending:
            for name, url in list(pending.items()):
                if not alive(name):
                    raise HealthError(name, "the process exited")
                if url.startswith("file://"):  # a background worker without a port signals readiness by a file
                    if _file_ready(url):
                        del pending[name]
                    else:
                        last_status[name] = "not ready yet"
                    continue
                try:
                    response = client.get(url)
                except httpx.HTTPError as error:
                    last_status[name] = type(error).__name__
                    continue
                if response.status_code == 200:
                    del pending[name]
                else:
                    last_status[name] = f"HTTP {response.status_code}"
            if not pending:
                return
            if time.monotonic() >= deadline:
                name = next(iter(pending))
                detail = last_status.get(name, "no answer")
                raise HealthError(name, f"not healthy before the timeout (last: {detail} from {pending[name]})")
            time.sleep(_POLL_INTERVAL)


def _file_ready(url: str) -> bool:
    return Path(url2pathname(urlsplit(url).path)).exists()
