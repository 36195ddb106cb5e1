"""Institutions, their approved occupations and levels, and their status history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.institutions.db import Base

KINDS = ("vocational_college", "technical_school", "private", "enterprise")
STATUSES = ("active", "suspended", "revoked")
# What the history of an institution records (PLAN §二.(三).14: supervision, with a trail).
ACTIONS = (
    "register",
    "edit",
    "edit_contact",
    "approve_trade",
    "suspend",
    "reinstate",
    "revoke",
    "designate",
    "inspect",
    "class_plan_filed",
    "class_plan_approved",
    "class_plan_returned",
    "rated",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Institution(Base, table=True):
    __tablename__ = "institutions"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        # Only a suspension has an end date; reinstating or revoking clears it.
        CheckConstraint(
            "status = 'suspended' OR suspended_until IS NULL", name="until_only_when_suspended"
        ),
        CheckConstraint("yearly_capacity IS NULL OR yearly_capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "licence_expires_on IS NULL OR licence_issued_on IS NULL "
            "OR licence_expires_on >= licence_issued_on",
            name="licence_dates_ordered",
        ),
        CheckConstraint("rating IS NULL OR rating BETWEEN 0 AND 100", name="rating_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    credit_code: str = Field(sa_column=Column(String(18), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(24), nullable=False))
    unit_code: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False, index=True))
    status_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    suspended_until: dt.date | None = Field(default=None, sa_column=Column(Date))
    address: str | None = Field(default=None, sa_column=Column(String(300)))
    contact_name: str | None = Field(default=None, sa_column=Column(String(50)))
    contact_phone: str | None = Field(default=None, sa_column=Column(String(16)))
    licence_number: str | None = Field(default=None, sa_column=Column(String(64)))
    licence_issued_on: dt.date | None = Field(default=None, sa_column=Column(Date))
    licence_expires_on: dt.date | None = Field(default=None, sa_column=Column(Date))
    yearly_capacity: int | None = Field(default=None, sa_column=Column(Integer))
    # The latest published performance rating (0-100) and whether it puts the institution on
    # the government's watch list; the history is in institution_ratings.
    rating: int | None = Field(default=None, sa_column=Column(Integer))
    rated_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    on_watch: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default="0")
    )
    is_demo: bool = False
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class InstitutionApproval(Base, table=True):
    """One occupation and level an institution is approved to train (§二.(二).8)."""

    __tablename__ = "institution_approvals"
    __table_args__ = (
        UniqueConstraint("institution_id", "occupation_code", "level"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from", name="validity_ordered"
        ),
        Index("ix_institution_approvals_occupation_level", "occupation_code", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id", ondelete="CASCADE"), nullable=False)
    )
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    # The approval is in force from valid_from through valid_until (open-ended when NULL).
    valid_from: dt.date = Field(sa_column=Column(Date, nullable=False))
    valid_until: dt.date | None = Field(default=None, sa_column=Column(Date))


class InstitutionEvent(Base, table=True):
    """Every change to an institution: who, when, what (with the details), and why."""

    __tablename__ = "institution_events"
    __table_args__ = (CheckConstraint(_in("action", ACTIONS), name="action_known"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("institutions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    action: str = Field(sa_column=Column(String(24), nullable=False))
    from_status: str | None = Field(default=None, sa_column=Column(String(16)))
    to_status: str = Field(sa_column=Column(String(16), nullable=False))
    actor_id: int | None = None
    actor_role: str | None = Field(default=None, sa_column=Column(String(16)))
    reason: str | None = Field(default=None, sa_column=Column(String(500)))
    details: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
