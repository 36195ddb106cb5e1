"""Time as the programme counts it: timestamps in UTC, days and years in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# Calendar years and dates (yearly caps, issue dates) are the city's (DESIGN "Rules").
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    """A timezone-aware UTC timestamp, for every `*_at` column."""
    return dt.datetime.now(dt.UTC)


def shanghai_today() -> dt.date:
    """Today in Jining."""
    return dt.datetime.now(SHANGHAI).date()
