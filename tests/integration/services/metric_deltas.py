"""Reads business series from the process registry: they are process-wide (many apps share them in one test
process), so a test states how much each one moved, never its absolute value."""

from __future__ import annotations

from prometheus_client import REGISTRY

Series = tuple[str, tuple[tuple[str, str], ...]]


def series(name: str, **labels: str) -> Series:
    return name, tuple(sorted(labels.items()))


class Deltas:
    """``Deltas(series(...), ...)`` snapshots now; ``moved()`` is each series' change since, zeros left out."""

    def __init__(self, *watched: Series) -> None:
        self._watched = watched
        self._before = {s: self._value(s) for s in watched}

    @staticmethod
    def _value(watched: Series) -> float:
        name, labels = watched
        return REGISTRY.get_sample_value(name, dict(labels)) or 0.0

    def moved(self) -> dict[str, float]:
        changes = {s: self._value(s) - self._before[s] for s in self._watched}
        return {_label(s): change for s, change in changes.items() if change}


def _label(watched: Series) -> str:
    name, labels = watched
    return name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}" if labels else "")
