"""Working days in mainland China: weekends and public holidays off, make-up days on.

The calendar is data (data/holidays-cn.csv: date, kind holiday|workday, name, certain): the
State Council's notices for 2019–2025; 2026 and 2027 are marked `uncertain` and must be
checked against the published notice before they are relied on.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

from plumbing.settings import REPO_ROOT

HOLIDAYS_CSV = REPO_ROOT / "data" / "holidays-cn.csv"


@lru_cache(maxsize=4)
def _calendar(path: Path = HOLIDAYS_CSV) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            day = dt.date.fromisoformat(row["date"])
            (holidays if row["kind"] == "holiday" else workdays).add(day)
    return frozenset(holidays), frozenset(workdays)


def is_working_day(day: dt.date) -> bool:
    holidays, workdays = _calendar()
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (start itself not counted); `start` for 0."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
