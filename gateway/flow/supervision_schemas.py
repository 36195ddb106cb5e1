"""Request bodies and documented responses of the institution catalogue's editing, the
catalogue versions and supervision (class-start plans, inspections, designations, ratings)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.flow.schemas import Level, OccupationCode, Order, TrainingType
from gateway.strict import RequestModel
from plumbing.ids import normalise_phone


# -- the institution catalogue -----------------------------------------------------------
class ApprovalView(BaseModel):
    occupation_code: str
    level: int
    valid_from: dt.date
    valid_until: dt.date | None


class DesignationView(BaseModel):
    id: int
    kind: str
    tier: str | None
    master_name: str | None
    occupation_code: str | None
    title: str | None
    awarded_on: dt.date
    expires_on: dt.date | None


class InstitutionView(BaseModel):
    """The public entry (anyone); government and the institution's own staff also get the
    fields marked "full view"."""

    id: int
    name: str
    credit_code: str
    kind: str
    unit_code: str
    status: str
    approvals: list[ApprovalView]
    designations: list[DesignationView]
    rating: int | None
    rated_at: dt.datetime | None
    status_reason: str | None = Field(default=None, description="full view")
    suspended_until: dt.date | None = Field(default=None, description="full view")
    address: str | None = Field(default=None, description="full view")
    contact_name: str | None = Field(default=None, description="full view")
    contact_phone: str | None = Field(default=None, description="full view")
    licence_number: str | None = Field(default=None, description="full view")
    licence_issued_on: dt.date | None = Field(default=None, description="full view")
    licence_expires_on: dt.date | None = Field(default=None, description="full view")
    yearly_capacity: int | None = Field(default=None, description="full view")
    on_watch: bool | None = Field(default=None, description="full view")
    approval_records: list[ApprovalView] | None = Field(default=None, description="full view")


class Revoked(InstitutionView):
    affected_orders: list[Order] | None = Field(
        description="the institution's orders still open (selected or accepted), for "
        "government to cancel or move; null if enrolment could not be read just now"
    )


class LicenceFields(RequestModel):
    licence_number: str | None = Field(default=None, max_length=64)
    licence_issued_on: dt.date | None = None
    licence_expires_on: dt.date | None = None
    yearly_capacity: int | None = Field(default=None, gt=0, le=1_000_000)


class InstitutionEditIn(LicenceFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"address": "任城区建设路88号", "yearly_capacity": 1200, "reason": "年检更新"}
            ]
        }
    )
    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: Literal["vocational_college", "technical_school", "private", "enterprise"] | None = None
    address: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=500)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v) if v else None


class ContactIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"contact_name": "张老师", "contact_phone": "13900139000"}]}
    )
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=500)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v) if v else None


class ApprovalIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "occupation_code": "6-31-01-03",
                    "level": 4,
                    "valid_from": "2026-01-01",
                    "valid_until": "2028-12-31",
                }
            ]
        }
    )
    occupation_code: str = OccupationCode
    level: int = Level
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class Event(BaseModel):
    id: int
    institution_id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_role: str | None
    reason: str | None
    details: dict[str, Any] | None
    at: dt.datetime


class EventList(BaseModel):
    items: list[Event]
    total: int


# -- catalogue versions ------------------------------------------------------------------
class CatalogueItemIn(RequestModel):
    catalogue: Literal["key_industry", "general"]
    occupation_code: str = OccupationCode
    occupation_name: str = Field(min_length=1, max_length=100)
    level: int = Level
    training_types: list[TrainingType] = Field(min_length=1, max_length=9)
    standard_hours: int = Field(gt=0, le=2_000)
    subsidy_fen: int = Field(gt=0, le=10**8)
    industry: str | None = Field(default=None, max_length=100)


class ItemKey(RequestModel):
    catalogue: Literal["key_industry", "general"]
    occupation_code: str = OccupationCode
    level: int = Level


class VersionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "effective_on": "2027-01-01",
                    "note": "2027年度调整",
                    "items": [
                        {
                            "catalogue": "key_industry",
                            "occupation_code": "4-10-01-05",
                            "occupation_name": "养老护理员",
                            "level": 5,
                            "training_types": ["employment_skills", "pre_job"],
                            "standard_hours": 100,
                            "subsidy_fen": 160000,
                            "industry": "养老服务",
                        }
                    ],
                    "retire": [
                        {"catalogue": "general", "occupation_code": "4-01-02-02", "level": 4}
                    ],
                }
            ]
        }
    )
    effective_on: dt.date
    note: str | None = Field(default=None, min_length=1, max_length=500)
    items: list[CatalogueItemIn] = Field(default_factory=list, max_length=5_000)
    retire: list[ItemKey] = Field(default_factory=list, max_length=5_000)
    replace: bool = Field(
        default=False, description="items is the whole new catalogue; the rest is retired"
    )


class CatalogueVersion(BaseModel):
    number: int
    effective_on: dt.date
    note: str | None
    source: str
    added: int
    changed: int
    retired: int
    published_by: int | None
    published_at: dt.datetime


# -- class-start plans -------------------------------------------------------------------
class TrainerIn(RequestModel):
    name: str = Field(min_length=1, max_length=50)
    certificate_number: str = Field(min_length=4, max_length=64)


class SessionIn(RequestModel):
    on: dt.date
    hours: float = Field(gt=0, le=12)


class ClassPlanIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "teaching_plan": "理论40%，实操60%；第1-2天基础照护，第3-5天实操考核",
                    "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
                    "sessions": [
                        {"on": "2026-12-01", "hours": 8},
                        {"on": "2026-12-02", "hours": 8},
                    ],
                }
            ]
        }
    )
    teaching_plan: str = Field(min_length=1, max_length=5_000)
    trainers: list[TrainerIn] = Field(min_length=1, max_length=50)
    sessions: list[SessionIn] = Field(min_length=1, max_length=400)


class ClassPlan(BaseModel):
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
    submitted_at: dt.datetime
    decided_by: int | None
    decided_at: dt.datetime | None
    reason: str | None


# -- inspections, designations, ratings --------------------------------------------------
class InspectionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "inspected_on": "2026-11-20",
                    "findings": "签到表与实际到课人数不符",
                    "severity": "major",
                    "follow_up_due_on": "2026-12-20",
                }
            ]
        }
    )
    inspected_on: dt.date
    findings: str = Field(min_length=1, max_length=5_000)
    severity: Literal["none", "minor", "major", "critical"]
    follow_up_due_on: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> InspectionIn:
        if self.follow_up_due_on and self.follow_up_due_on < self.inspected_on:
            raise ValueError("follow_up_due_on must not be before inspected_on")
        return self


class Inspection(BaseModel):
    id: int
    institution_id: int
    inspected_on: dt.date
    findings: str
    severity: str
    follow_up_due_on: dt.date | None
    recorded_by: int
    created_at: dt.datetime


class DesignationIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "skill_base", "tier": "provincial", "awarded_on": "2025-06-01"},
                {
                    "kind": "master_studio",
                    "master_name": "王建国",
                    "occupation_code": "6-18-02-04",
                    "awarded_on": "2024-03-01",
                    "expires_on": "2027-02-28",
                },
            ]
        }
    )
    kind: Literal["skill_base", "master_studio"]
    tier: Literal["city", "provincial", "national"] | None = None
    master_name: str | None = Field(default=None, min_length=1, max_length=50)
    occupation_code: str | None = Field(
        default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9.\-]+$"
    )
    title: str | None = Field(default=None, max_length=200)
    awarded_on: dt.date
    expires_on: dt.date | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class Rating(BaseModel):
    institution_id: int
    score: int | None
    completion_rate: float | None
    pass_rate: float | None
    rejected_claim_rate: float | None
    inspection_penalty: int
    outcomes: dict[str, Any]
    on_watch: bool
    watch_reasons: list[str]
    computed_at: dt.datetime


class RatingList(BaseModel):
    items: list[Rating]
    total: int


class WatchEntry(BaseModel):
    institution_id: int
    name: str
    unit_code: str
    status: str
    rating: Rating
