"""Evaluation bodies: the third-party and employer evaluators the government buys from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, DateTime, String
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
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    credit_code: str | None = Field(default=None, sa_column=Column(String(18), unique=True))
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False))
    status_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    is_demo: bool = False
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
