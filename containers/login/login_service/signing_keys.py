"""The gateway's live key ring: re-read from its source every ``SIGNING_KEY_REFRESH_SECONDS`` and on SIGHUP, so a
rotation (``key_rotation``) needs no restart. A re-read that fails keeps the keys held and is logged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable

from starlette.concurrency import run_in_threadpool

from login_service.keys import KeyRing

_log = logging.getLogger(__name__)


class SigningKeys:
    def __init__(self, load: Callable[[], KeyRing]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._ring = load()

    @property
    def ring(self) -> KeyRing:
        return self._ring

    def reload(self) -> bool:
        """Re-reads the source; True when the keys changed. On any failure the keys held stay in use."""
        with self._lock:
            try:
                ring = self._load()
            except Exception as exc:  # noqa: BLE001 - a bad or unreachable secret must not take the gateway down
                _log.warning("signing key reload failed; keeping the keys held", extra={"error": repr(exc)})
                return False
            changed = [key.kid for key in ring.keys] != [key.kid for key in self._ring.keys]
            self._ring = ring
        if changed:
            _log.info("signing keys reloaded", extra={"kids": [key.kid for key in ring.keys]})
        return changed


@contextlib.asynccontextmanager
async def kept_fresh(keys: SigningKeys, *, every_seconds: float) -> AsyncIterator[None]:
    """While open: a reload every ``every_seconds`` and on SIGHUP (main thread only: uvicorn, not TestClient)."""
    wake = asyncio.Event()
    loop = asyncio.get_running_loop()
    on_sighup = False
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, wake.set)
            on_sighup = True

    async def refresh() -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=every_seconds)
            wake.clear()
            await run_in_threadpool(keys.reload)

    task = asyncio.create_task(refresh())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if on_sighup:
            loop.remove_signal_handler(signal.SIGHUP)
