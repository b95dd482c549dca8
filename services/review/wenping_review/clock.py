"""Dates as users see them: China has one zone (UTC+8, no daylight saving)."""

from __future__ import annotations

import datetime as dt

from wenping_shared import utcnow

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def today_cn() -> dt.date:
    return utcnow().astimezone(CHINA).date()


def date_cn(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def start_of_day_cn(day: dt.date) -> dt.datetime:
    """The UTC instant a China calendar day begins (for date-range filters on UTC columns)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=CHINA).astimezone(dt.UTC)
