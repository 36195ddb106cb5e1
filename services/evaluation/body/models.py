"""Evaluation bodies: the third-party and employer evaluators the government buys from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.evaluation.db import Base, in_list

KINDS = ("third_party", "employer")
STATUSES = ("active", "suspended", "revoked")


class EvaluationBody(Base, table=True):
    __tablename__ = "evaluation_bodies"
    __table_args__ = (
        CheckConstraint(in_list("kind", KINDS), name="kind_known"),
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint(
            "accredited_until IS NULL OR accredited_until >= accredited_on",
            name="accreditation_ordered",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    credit_code: str | None = Field(default=None, sa_column=Column(String(18), unique=True))
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False))
    status_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    is_demo: bool = False
    # Accreditation: the body acts from `accredited_on` to `accredited_until` (inclusive).
    accredited_on: dt.date = Field(
        sa_column=Column(Date, nullable=False, server_default=text("'2019-01-01'"))
    )
    accredited_until: dt.date | None = Field(default=None, sa_column=Column(Date))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class BodyScope(Base, table=True):
    """One trade and level a body is accredited to evaluate."""

    __tablename__ = "body_scopes"
    __table_args__ = (
        UniqueConstraint("body_id", "occupation_code", "level"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation_bodies.id"), nullable=False)
    )
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
