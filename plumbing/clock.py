"""Time as the programme counts it: timestamps in UTC, days and years in Asia/Shanghai.

Every rule that depends on "now" (yearly caps, expiry deadlines) reads it here, so tests can
move the clock with `frozen_at` instead of waiting or patching each module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

# Calendar years and dates (yearly caps, issue dates) are the city's (DESIGN "Rules").
SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: dt.datetime | None = None


def utcnow() -> dt.datetime:
    """A timezone-aware UTC timestamp, for every `*_at` column."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC)


def shanghai_today() -> dt.date:
    """Today in Jining."""
    return utcnow().astimezone(SHANGHAI).date()


@contextmanager
def frozen_at(at: dt.datetime) -> Iterator[None]:
    """Tests only: the clock reads `at` (timezone-aware) inside the block, in this process."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    previous, _frozen = _frozen, at.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous
