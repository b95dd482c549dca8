""" "Today" and "this year" in the platform's time zone (Asia/Shanghai by default), not UTC:
a grade valid until 31 December is still valid at 07:00 on 1 January UTC."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(zone: str) -> dt.datetime:
    return dt.datetime.now(_zone(zone))


def local_today(zone: str) -> dt.date:
    return local_now(zone).date()


def local_date_of(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(_zone(zone)).date()
