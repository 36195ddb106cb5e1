"""Field types shared by this service's response models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]
