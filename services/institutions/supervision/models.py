"""Designations, class-start plans, inspections and performance ratings of institutions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.institutions.db import Base

DESIGNATION_KINDS = ("skill_base", "master_studio")
BASE_TIERS = ("city", "provincial", "national")
PLAN_STATUSES = ("submitted", "approved", "returned")
SEVERITIES = ("none", "minor", "major", "critical")


def _institution_fk(index: bool = True) -> Column[int]:
    return Column(
        Integer, ForeignKey("institutions.id", ondelete="CASCADE"), nullable=False, index=index
    )


class Designation(Base, table=True):
    """A high-skill talent training base (city, provincial or national) or a skill-master
    studio (a named master in a trade), with the dates it holds."""

    __tablename__ = "designations"
    __table_args__ = (
        CheckConstraint("kind IN ('skill_base', 'master_studio')", name="kind_known"),
        CheckConstraint(
            "(kind = 'skill_base' AND tier IN ('city', 'provincial', 'national'))"
            " OR (kind = 'master_studio' AND master_name IS NOT NULL"
            " AND occupation_code IS NOT NULL)",
            name="fields_by_kind",
        ),
        CheckConstraint("expires_on IS NULL OR expires_on >= awarded_on", name="dates_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(sa_column=_institution_fk())
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    tier: str | None = Field(default=None, sa_column=Column(String(16)))
    master_name: str | None = Field(default=None, sa_column=Column(String(50)))
    occupation_code: str | None = Field(default=None, sa_column=Column(String(32)))
    title: str | None = Field(default=None, sa_column=Column(String(200)))
    awarded_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    expires_on: dt.date | None = Field(default=None, sa_column=Column(Date))
    created_by: int | None = None
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ClassPlan(Base, table=True):
    """The class-start plan (开班计划) of one offering: filed by its institution before the
    class starts, approved or returned by government; attendance waits for approval."""

    __tablename__ = "class_plans"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'approved', 'returned')", name="status_known"),
        CheckConstraint("planned_hours > 0", name="hours_positive"),
        CheckConstraint("status <> 'returned' OR reason IS NOT NULL", name="returned_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    offering_id: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    institution_id: int = Field(sa_column=_institution_fk())
    unit_code: str = Field(sa_column=Column(String(32), nullable=False))
    status: str = Field(default="submitted", sa_column=Column(String(16), nullable=False))
    teaching_plan: str = Field(sa_column=Column(Text, nullable=False))
    trainers: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    sessions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    roster: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    planned_hours: float = Field(sa_column=Column(Float, nullable=False))
    submitted_by: int = Field(sa_column=Column(Integer, nullable=False))
    submitted_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_by: int | None = None
    decided_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    reason: str | None = Field(default=None, sa_column=Column(String(500)))


class Inspection(Base, table=True):
    """An inspection recorded by government: what was found, how serious, follow-up due."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(
            "severity IN ('none', 'minor', 'major', 'critical')", name="severity_known"
        ),
        CheckConstraint(
            "follow_up_due_on IS NULL OR follow_up_due_on >= inspected_on",
            name="follow_up_after_inspection",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(sa_column=_institution_fk())
    inspected_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    findings: str = Field(sa_column=Column(Text, nullable=False))
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    follow_up_due_on: dt.date | None = Field(default=None, sa_column=Column(Date))
    recorded_by: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class InstitutionRating(Base, table=True):
    """One computed performance rating: its inputs, its score and the watch-list verdict."""

    __tablename__ = "institution_ratings"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(sa_column=_institution_fk())
    score: int | None = Field(default=None, sa_column=Column(Integer))
    completion_rate: float | None = Field(default=None, sa_column=Column(Float))
    pass_rate: float | None = Field(default=None, sa_column=Column(Float))
    rejected_claim_rate: float | None = Field(default=None, sa_column=Column(Float))
    inspection_penalty: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    outcomes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    on_watch: bool = Field(sa_column=Column(Boolean, nullable=False))
    watch_reasons: list[str] = Field(sa_column=Column(JSON, nullable=False))
    computed_by: int | None = None
    computed_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
