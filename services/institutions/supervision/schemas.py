"""Request and response models of designations, class-start plans, inspections, ratings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.institutions.fields import OccupationCode, UtcDateTime

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class DesignationCreate(BaseModel):
    kind: Literal["skill_base", "master_studio"]
    tier: Literal["city", "provincial", "national"] | None = None
    master_name: Name | None = None
    occupation_code: OccupationCode | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    awarded_on: dt.date
    expires_on: dt.date | None = None
    reason: Reason | None = None

    @model_validator(mode="after")
    def _fields_by_kind(self) -> DesignationCreate:
        if self.kind == "skill_base" and self.tier is None:
            raise ValueError("a high-skill talent training base needs its tier")
        if self.kind == "master_studio" and (not self.master_name or not self.occupation_code):
            raise ValueError("a skill-master studio needs the master's name and the trade")
        if self.expires_on and self.expires_on < self.awarded_on:
            raise ValueError("expires_on must not be before awarded_on")
        return self


class Trainer(BaseModel):
    name: Name
    certificate_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=4, max_length=64)
    ]


class Session(BaseModel):
    on: dt.date
    hours: float = Field(gt=0, le=12)


class RosterEntry(BaseModel):
    order_id: int
    worker_id: int
    worker_name_masked: str = Field(max_length=64)


class ClassPlanFile(BaseModel):
    """The plan as the institution writes it, with what the gateway read from enrolment."""

    institution_id: int
    unit_code: str = Field(max_length=32)
    offering_starts_on: dt.date
    offering_ends_on: dt.date
    offering_hours: int = Field(gt=0)
    teaching_plan: Text
    trainers: list[Trainer] = Field(min_length=1, max_length=50)
    sessions: list[Session] = Field(min_length=1, max_length=400)
    roster: list[RosterEntry] = Field(max_length=10_000)


class ClassPlanPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    offering_id: int
    institution_id: int
    unit_code: str
    status: str
    teaching_plan: str
    trainers: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    roster: list[dict[str, Any]]
    planned_hours: float
    submitted_by: int
    submitted_at: UtcDateTime
    decided_by: int | None
    decided_at: UtcDateTime | None
    reason: str | None


class ClassPlanStatus(BaseModel):
    offering_id: int
    status: str | None = Field(description="None when no plan has been filed")


class Decision(BaseModel):
    reason: Reason | None = None


class Return(BaseModel):
    reason: Reason


class InspectionCreate(BaseModel):
    inspected_on: dt.date
    findings: Text
    severity: Literal["none", "minor", "major", "critical"]
    follow_up_due_on: dt.date | None = None

    @model_validator(mode="after")
    def _dates(self) -> InspectionCreate:
        if self.follow_up_due_on and self.follow_up_due_on < self.inspected_on:
            raise ValueError("follow_up_due_on must not be before inspected_on")
        return self


class InspectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institution_id: int
    inspected_on: dt.date
    findings: str
    severity: str
    follow_up_due_on: dt.date | None
    recorded_by: int
    created_at: UtcDateTime


class Outcome(BaseModel):
    """One institution's order outcomes, as enrolment counts them (read by the gateway)."""

    institution_id: int
    orders_accepted: int = Field(ge=0)
    orders_completed: int = Field(ge=0)
    orders_certified: int = Field(ge=0)
    orders_failed: int = Field(ge=0)
    orders_dropped: int = Field(ge=0)
    claims_total: int = Field(ge=0)
    claims_rejected: int = Field(ge=0)


class RatingRun(BaseModel):
    outcomes: list[Outcome] = Field(max_length=100_000)


class RatingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    institution_id: int
    score: int | None
    completion_rate: float | None
    pass_rate: float | None
    rejected_claim_rate: float | None
    inspection_penalty: int
    outcomes: dict[str, Any]
    on_watch: bool
    watch_reasons: list[str]
    computed_at: UtcDateTime


class RatingList(BaseModel):
    items: list[RatingPublic]
    total: int


class WatchEntry(BaseModel):
    institution_id: int
    name: str
    unit_code: str
    status: str
    rating: RatingPublic
