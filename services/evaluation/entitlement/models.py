"""Evaluation-subsidy entitlements: one per passed evaluation, amount fixed when it passes."""

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
    text,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.evaluation.db import Base, in_list

STATUSES = ("open", "cancelled")


class Entitlement(Base, table=True):
    __tablename__ = "entitlements"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_reason IS NOT NULL)", name="cancellation_recorded"
        ),
        # At most one open entitlement per order: a correction never doubles the subsidy.
        Index(
            "uq_entitlements_open_order",
            "order_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    result_id: int = Field(
        sa_column=Column(Integer, ForeignKey("results.id"), nullable=False, unique=True)
    )
    order_id: int | None = Field(default=None, sa_column=Column(Integer))
    candidate_id: int | None = Field(default=None, sa_column=Column(Integer))
    worker_id: int | None = Field(default=None, sa_column=Column(Integer, index=True))
    body_id: int = Field(sa_column=Column(Integer, nullable=False))
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    evaluated_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    catalogue_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("catalogue_versions.id"), nullable=False)
    )
    amount_fen: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(default="open", sa_column=Column(String(16), nullable=False))
    cancelled_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
