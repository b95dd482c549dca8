"""The platform's calendar: dates and years are those of Asia/Shanghai (China has no DST)."""

from __future__ import annotations

import datetime as dt

from wenping_shared import utcnow

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def local_today() -> dt.date:
    return utcnow().astimezone(CHINA).date()


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()
