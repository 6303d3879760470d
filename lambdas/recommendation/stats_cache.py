"""A read-through cache of the shared statistics, in front of any :class:`StatsStore`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from lambdas.recommendation.models import Change, Counts
from lambdas.recommendation.repository import StatsStore

MAX_ENTRIES = 2048


class CachedStatsStore:
    """Keeps the partitions that are the same for every customer for ``ttl_seconds`` in this process.

    Overall popularity (``ITEM``, ``TOTAL``) is read by every request and a popular item's co-purchases
    (``PAIR#...``) by many: hot keys at scale, for numbers that move by one order at a time. A customer's own
    history is always read fresh, so their latest order shows at once.
    """

    def __init__(
        self,
        store: StatsStore,
        *,
        shared: Callable[[str], bool],
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._shared = shared
        self._ttl = ttl_seconds
        self._clock = clock
        self._values: dict[str, tuple[float, Mapping[str, Mapping[str, int]]]] = {}

    def read(self, partitions: Sequence[str]) -> Counts:
        now = self._clock()
        fresh = {}
        for partition in partitions:
            cached = self._values.get(partition)
            if cached is not None and now - cached[0] < self._ttl:
                fresh[partition] = cached[1]
        missing = [partition for partition in partitions if partition not in fresh]
        read = self._store.read(missing) if missing else {}
        if len(self._values) > MAX_ENTRIES:
            self._values.clear()
        for partition in missing:
            if self._shared(partition):
                self._values[partition] = (now, read[partition])
        return {partition: fresh[partition] if partition in fresh else read[partition] for partition in partitions}

    def apply(self, change: Change) -> bool:
        return self._store.apply(change)

    def load(self, change: Change) -> bool:
        return self._store.load(change)
