"""Store hours: one definition (``stacks/config.py``) for Connect's hours of operation and the Lambda's answers.

Hours are ``(DAY, "HH:MM", "HH:MM")`` triples in the store's time zone, opening inclusive and closing exclusive,
like Connect's hours of operation. A day that is not listed is closed. Overnight slots are not supported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from lambdas.recommendation.context import store_zone

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")

HoursTriple = tuple[str, str, str]


def every_day(opens: str, closes: str) -> tuple[HoursTriple, ...]:
    return tuple((day, opens, closes) for day in DAYS)


def parse_clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"a time of day is HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, kw_only=True)
class Slot:
    day: str
    opens: time
    closes: time


@dataclass(frozen=True, kw_only=True)
class WeeklyHours:
    slots: tuple[Slot, ...]
    time_zone: str

    @classmethod
    def of(cls, hours: Iterable[Sequence[str]], time_zone: str) -> WeeklyHours:
        slots = []
        for day, opens, closes in hours:
            if day not in DAYS:
                raise ValueError(f"unknown day {day!r}; expected one of {', '.join(DAYS)}")
            slot = Slot(day=day, opens=parse_clock(opens), closes=parse_clock(closes))
            if slot.opens >= slot.closes:
                raise ValueError(f"{day}: opening {opens} must be before closing {closes}")
            slots.append(slot)
        store_zone(time_zone)  # unknown zones fail here, not at the first call
        return cls(slots=tuple(slots), time_zone=time_zone)

    @classmethod
    def from_json(cls, text: str, time_zone: str) -> WeeklyHours:
        return cls.of(json.loads(text), time_zone)

    def triples(self) -> tuple[HoursTriple, ...]:
        return tuple((s.day, s.opens.strftime("%H:%M"), s.closes.strftime("%H:%M")) for s in self.slots)

    def to_json(self) -> str:
        return json.dumps([list(t) for t in self.triples()])

    def local(self, at: datetime) -> datetime:
        """``at`` in the store's zone; a naive ``at`` is taken as store-local already."""
        if at.tzinfo is None:
            return at.replace(tzinfo=store_zone(self.time_zone))
        return at.astimezone(store_zone(self.time_zone))

    def is_open(self, at: datetime) -> bool:
        local = self.local(at)
        day, clock = DAYS[local.weekday()], local.time().replace(tzinfo=None)
        return any(s.day == day and s.opens <= clock < s.closes for s in self.slots)
