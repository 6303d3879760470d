"""Password hashing with argon2id, bounded in memory and CPU, with constant work for unknown accounts.

Parameters: OWASP Password Storage Cheat Sheet, "Argon2id": "a minimum configuration of 19 MiB of memory, an
iteration count of 2, and 1 degree of parallelism" (m=19456 KiB, t=2, p=1), the first of its equivalent
settings. argon2-cffi's default profile (RFC 9106 low-memory, 64 MiB, t=3, p=4) cost 64 MiB per hash, and the
login pod runs in 256Mi. A hash costs ~45 ms on one core with these parameters.

At most ``concurrency`` hashes run at once per process, on a pool of that many threads of their own: memory is
bounded by ``concurrency`` x 19 MiB and only those threads' malloc arenas ever hold argon2 memory (glibc keeps
a freed block below its dynamic mmap threshold in the arena, up to 32 MiB: mallopt(3), M_MMAP_THRESHOLD). A
caller waits up to ``max_wait_seconds`` for a slot, then gets ``PasswordHashingBusyError`` (503 + Retry-After).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.exceptions import HTTPException

T = TypeVar("T")

OWASP_ARGON2ID = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=2, memory_cost=19 * 1024, parallelism=1
)


class PasswordHashingBusyError(HTTPException):
    """Every hashing slot stayed busy for the whole bounded wait: the client should retry shortly."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(503, "too many logins at once, retry shortly", headers={"Retry-After": str(retry_after)})


class Passwords:
    def __init__(
        self, hasher: PasswordHasher | None = None, *, concurrency: int = 2, max_wait_seconds: float = 5.0
    ) -> None:
        self._hasher = hasher or PasswordHasher.from_parameters(OWASP_ARGON2ID)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="argon2")
        self._max_wait = max_wait_seconds
        # Verified against when the account does not exist, so both failures take the same time.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        return self._bounded(lambda: self._hasher.hash(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True only for an existing hash that matches; an argon2 verification runs either way."""
        return self._bounded(lambda: self._verify(stored_hash, password))

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when ``stored_hash`` was made with other parameters than ours (no hashing: it parses the string)."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def _verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            matched = self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return matched and stored_hash is not None

    def _bounded(self, work: Callable[[], T]) -> T:
        if not self._slots.acquire(timeout=self._max_wait):
            raise PasswordHashingBusyError()
        try:
            return self._pool.submit(work).result()
        finally:
            self._slots.release()
