"""Order ids: ULIDs (48-bit millisecond time + 80 random bits, 26 chars of Crockford base32, uppercase).

Ids sort by creation time; within one millisecond this generator increments the random part, so ids made
by one process are strictly increasing. Being uppercase, every id sorts before ``"a"`` (see the repository).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
_RANDOM_BITS = 80


def encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ulid(text: str) -> bool:
    return bool(ULID_PATTERN.match(text))


def timestamp_ms(ulid: str) -> int:
    value = 0
    for char in ulid[:10]:
        value = value * 32 + CROCKFORD.index(char)
    return value


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
