"""The platform's calendar: "today", a moment's date and "this year" are those of the platform's
time zone (Asia/Shanghai unless a service is configured otherwise), never UTC's. A grade valid
until 31 December is still valid at 07:00 UTC on 1 January; a report submitted at 23:30 UTC is
dated the next day. Every date a user sees or a deadline counts from comes from here."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(zone: str = DEFAULT_TIME_ZONE) -> dt.datetime:
    return dt.datetime.now(_zone(zone))


def local_today(zone: str = DEFAULT_TIME_ZONE) -> dt.date:
    return local_now(zone).date()


def local_date(moment: dt.datetime, zone: str = DEFAULT_TIME_ZONE) -> dt.date:
    """The calendar day ``moment`` (aware) falls on in ``zone``."""
    return moment.astimezone(_zone(zone)).date()


def start_of_local_day(day: dt.date, zone: str = DEFAULT_TIME_ZONE) -> dt.datetime:
    """The UTC instant ``day`` begins in ``zone`` (for date-range filters on UTC columns)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=_zone(zone)).astimezone(dt.UTC)
