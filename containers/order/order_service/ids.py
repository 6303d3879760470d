"""Order ids: ULIDs (48-bit millisecond time + 80 random bits, 26 chars of Crockford base32, uppercase).

Encoding and decoding are ``python-ulid``'s. The generator stays here because the library has no monotonic
mode: within one millisecond (or after the clock steps back) it increments the random part, so ids made by one
process are strictly increasing. Being uppercase, every id sorts before ``"a"`` (see the repository).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable

from ulid import ULID

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Stricter than ULID.from_str (which accepts lowercase): ids are stored and compared uppercase.
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
_RANDOM_BITS = 80


def encode(value: int) -> str:
    return str(ULID.from_int(value))


def is_ulid(text: str) -> bool:
    return bool(ULID_PATTERN.match(text))


def timestamp_ms(ulid: str) -> int:
    return ULID.from_str(ulid).milliseconds


class UlidGenerator:
    def __init__(
        self,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        random_bits: Callable[[int], int] = secrets.randbits,
    ) -> None:
        self._clock_ms = clock_ms
        self._random_bits = random_bits
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new(self) -> str:
        with self._lock:
            now = self._clock_ms()
            if now > self._last_ms:
                self._last_ms, self._last_random = now, self._random_bits(_RANDOM_BITS)
            else:  # same millisecond, or the clock went back: stay monotonic
                self._last_random += 1
                if self._last_random >> _RANDOM_BITS:
                    self._last_ms, self._last_random = self._last_ms + 1, 0
            return encode((self._last_ms << _RANDOM_BITS) | self._last_random)
