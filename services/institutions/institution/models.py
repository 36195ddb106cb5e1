"""Institutions, their approved occupations and levels, and their status history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
        Index("ix_institution_approvals_occupation_level", "occupation_code", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id", ondelete="CASCADE"), nullable=False)
    )
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))


class InstitutionEvent(Base, table=True):
    """Every registration and status transition: who, when, from what, to what, and why."""

    __tablename__ = "institution_events"
    __table_args__ = (
        CheckConstraint(
            _in("action", ("register", "suspend", "reinstate", "revoke")), name="action_known"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("institutions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    action: str = Field(sa_column=Column(String(16), nullable=False))
    from_status: str | None = Field(default=None, sa_column=Column(String(16)))
    to_status: str = Field(sa_column=Column(String(16), nullable=False))
    actor_id: int | None = None
    actor_role: str | None = Field(default=None, sa_column=Column(String(16)))
    reason: str | None = Field(default=None, sa_column=Column(String(500)))
    at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
