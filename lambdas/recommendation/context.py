"""The time context of a basket: the store's local time, its day part and whether it is a weekend.

Naive timestamps are already store-local (a point-of-sale export); aware ones are converted to the store's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Daypart = Literal["morning", "lunch", "afternoon", "evening", "night"]
Daytype = Literal["weekday", "weekend"]

DAYPARTS: tuple[Daypart, ...] = ("morning", "lunch", "afternoon", "evening", "night")
DAYTYPES: tuple[Daytype, ...] = ("weekday", "weekend")
# Fixed offsets for zones without daylight saving time, used when the system has no tz database (slim runtimes).
_FIXED_OFFSETS = {"Asia/Seoul": 9, "UTC": 0}


@cache
def store_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if name in _FIXED_OFFSETS:
            return timezone(timedelta(hours=_FIXED_OFFSETS[name]), name)
        raise


def local_time(at: datetime | None, zone: str) -> datetime:
    """``at`` as a naive store-local time: aware times are converted, naive ones kept, None means now."""
    if at is None:
        at = datetime.now(UTC)
    if at.tzinfo is None:
        return at
    return at.astimezone(store_zone(zone)).replace(tzinfo=None)


def daypart(local: datetime) -> Daypart:
    """Morning 06-10, lunch 11-13, afternoon 14-16, evening 17-21, night 22-05 (store-local hours)."""
    hour = local.hour
    if 6 <= hour <= 10:
        return "morning"
    if 11 <= hour <= 13:
        return "lunch"
    if 14 <= hour <= 16:
        return "afternoon"
    if 17 <= hour <= 21:
        return "evening"
    return "night"


def daytype(local: datetime) -> Daytype:
    return "weekend" if local.weekday() >= 5 else "weekday"
