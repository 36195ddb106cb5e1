"""Field types shared by this service's request and response models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from plumbing.ids import check_unit_code

OccupationCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9.\-]+$")]
# The national five grades: 5 初级工 … 1 高级技师 (PLAN "Skill levels").
Level = Annotated[int, Field(ge=1, le=5)]
UnitCode = Annotated[str, AfterValidator(check_unit_code)]
CatalogueName = Literal["key_industry", "general"]


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every stored timestamp is UTC, so say so on output.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]

# The training types of the plan (§二.(二).1-7): the kinds of training an item may be bought as.
TrainingType = Literal[
    "employment_skills",
    "job_skill_upgrade",
    "pre_job",
    "transfer",
    "apprenticeship",
    "technician",
    "entrepreneurship",
    "safety_skills",
    "practical_rural",
]
