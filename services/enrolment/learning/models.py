"""Anomaly flags on learning records: raised as records arrive, resolved by government."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, DateTime, Index, text
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import sql_in

# The patterns of faked learning the national audit found (issue 4 §6).
FlagKind = Literal["overlapping_ends", "daily_hours", "online_during_classroom", "shared_device"]
FLAG_KINDS: tuple[str, ...] = get_args(FlagKind)
FlagStatus = Literal["open", "cleared", "confirmed"]
FLAG_STATUSES: tuple[str, ...] = get_args(FlagStatus)


class LearningFlag(Base, table=True):
    __tablename__ = "learning_flags"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(FLAG_KINDS)}", name="kind_known"),
        CheckConstraint(f"status IN {sql_in(FLAG_STATUSES)}", name="status_known"),
        CheckConstraint(
            "status = 'open' OR (resolved_by IS NOT NULL AND resolution_reason IS NOT NULL)",
            name="resolution_recorded",
        ),
        # One open flag per order and pattern: later records add evidence, not more flags.
        Index(
            "uq_learning_flags_open",
            "order_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    worker_id: int = Field(index=True)
    unit_code: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=32)
    detail: str = Field(max_length=500)
    record_id: int | None = None
    status: str = Field(default="open", max_length=16)
    resolved_by: int | None = None
    resolution_reason: str | None = Field(default=None, max_length=500)
    resolved_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
