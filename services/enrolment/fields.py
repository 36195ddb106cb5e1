"""Field types and code lists shared by this service's models and schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field

from plumbing.ids import check_unit_code

OccupationCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9.\-]+$")]
# The national five grades: 5 初级工 … 1 高级技师 (PLAN "Skill levels").
Level = Annotated[int, Field(ge=1, le=5)]
UnitCode = Annotated[str, AfterValidator(check_unit_code)]

# Target groups of PLAN "Who is trained".
Group = Literal[
    "enterprise_employee",
    "unemployed",
    "college_student",
    "migrant_worker",
    "poor_labour",
    "farmer",
    "rural_leader",
    "veteran",
    "disabled",
    "prisoner_rehab",
    "special_plan",
]
GROUPS: tuple[str, ...] = get_args(Group)

# The five pooled funds of PLAN §三.(二), each accounted separately in the special account.
FundingSource = Literal[
    "employment_subsidy",
    "entrepreneurship",
    "special_training",
    "employee_education",
    "unemployment_insurance",
]
FUNDING_SOURCES: tuple[str, ...] = get_args(FundingSource)


def sql_in(values: tuple[str, ...]) -> str:
    """A literal SQL list for CHECK constraints built from the code lists above."""
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back naive; they were stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_utc)]


# The training types of the catalogue (PLAN "Training types"); an offering records one.
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
TRAINING_TYPES: tuple[str, ...] = get_args(TrainingType)
