"""An in-memory :class:`~lambdas.recommendation.repository.StatsStore`, for ``evaluate`` and tests.

Same contract as the DynamoDB store: a change counts at most once per scope, a withdrawal of something never
added leaves a tombstone, and counters that reach zero stay (they are filtered when read).
"""

from __future__ import annotations

from collections.abc import Sequence

from lambdas.recommendation.models import Change, Counts


class MemoryStatsStore:
    def __init__(self) -> None:
        self._counts: dict[str, dict[str, dict[str, int]]] = {}
        self._markers: dict[str, str] = {}

    def read(self, partitions: Sequence[str]) -> Counts:
        empty: dict[str, dict[str, int]] = {}
        return {partition: self._counts.get(partition, empty) for partition in partitions}

    def load(self, change: Change) -> bool:
        return self.apply(change)

    def apply(self, change: Change) -> bool:
        state = self._markers.get(change.scope)
        if change.sign > 0 and state is not None:
            return False
        if change.sign < 0 and state != "added":
            self._markers.setdefault(change.scope, "removed")
            return False
        self._markers[change.scope] = "added" if change.sign > 0 else "removed"
        for (partition, sort_key), attributes in change.deltas.items():
            counters = self._counts.setdefault(partition, {}).setdefault(sort_key, {})
            for name, value in attributes.items():
                counters[name] = counters.get(name, 0) + change.sign * value
        return True
