"""Request and response models of quotas, monthly reports and their deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.institutions.fields import UnitCode, UtcDateTime

# A calendar month, YYYY-MM (the plan's programme runs 2019-2021; later years are allowed).
Month = Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")]
Year = Annotated[int, Field(ge=2019, le=2100)]


class QuotaSet(BaseModel):
    quota: int = Field(ge=0, le=1_000_000)


class QuotaPublic(BaseModel):
    unit_code: str
    name_zh: str
    year: int
    # None: not entered yet for that year.
    quota: int | None
    source: Literal["plan_csv", "entered", "missing"]


class QuotaList(BaseModel):
    year: int
    items: list[QuotaPublic]
    total: int


class ReportCreate(BaseModel):
    unit_code: UnitCode
    month: Month
    # The composed figures (see the gateway's report model); stored as they are.
    figures: dict[str, Any]


class NarrativeUpdate(BaseModel):
    narrative: str = Field(min_length=1, max_length=5000)


class ReportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_code: str
    month: str
    revision: int
    status: str
    figures: dict[str, Any]
    narrative: str | None
    generated_by: int
    generated_at: UtcDateTime
    signed_off_by: int | None
    signed_off_at: UtcDateTime | None


class ReportList(BaseModel):
    items: list[ReportPublic]
    total: int


class UnitDeadline(BaseModel):
    unit_code: str
    name_zh: str
    # on_time / late: signed off by / after the deadline; missing: past the deadline and
    # nothing signed off; pending: not signed off yet, the deadline is still ahead.
    state: Literal["on_time", "late", "missing", "pending"]
    report_id: int | None
    signed_off_at: UtcDateTime | None


class DeadlineList(BaseModel):
    month: str
    deadline_on: dt.date
    items: list[UnitDeadline]
    late: list[str]
    missing: list[str]


class InstitutionCounts(BaseModel):
    unit_code: str
    active: int
    suspended: int
    revoked: int


class InstitutionCountList(BaseModel):
    items: list[InstitutionCounts]
