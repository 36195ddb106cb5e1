"""Orders and their lifecycle, attendance records, and the per-year subsidy counter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, Float, Index, text
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import FUNDING_SOURCES, sql_in
from services.enrolment.orders.rules import (
    CHANNELS,
    DELIVERY,
    MAX_HOURS_PER_RECORD,
    ORDER_STATUSES,
    SLOT_FREEING,
    YEARLY_CAP,
)

_HOLDS_SUBSIDY = f"status NOT IN {sql_in(SLOT_FREEING)}"


class Order(Base, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(ORDER_STATUSES)}", name="status_known"),
        CheckConstraint("attended_hours >= 0", name="attended_not_negative"),
        CheckConstraint("subsidy_fen >= 0", name="subsidy_not_negative"),
        CheckConstraint(f"funding_source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
        CheckConstraint(f"delivery IN {sql_in(DELIVERY)}", name="delivery_known"),
        # PLAN §二.(二).11: the same occupation at the same level is never subsidised twice.
        Index(
            "uq_orders_worker_occupation_level",
            "worker_id",
            "occupation_code",
            "level",
            unique=True,
            sqlite_where=text(_HOLDS_SUBSIDY),
            postgresql_where=text(_HOLDS_SUBSIDY),
        ),
        # The unit report reads one unit's orders selected in a period (docs/PERFORMANCE.md).
        Index("ix_orders_unit_created", "unit_code", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(index=True)
    worker_name_masked: str = Field(max_length=64)
    offering_id: int = Field(foreign_key="offerings.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="training_requests.id")
    institution_id: int = Field(index=True)
    institution_name: str = Field(max_length=200)
    occupation_code: str = Field(max_length=32)
    occupation_name: str = Field(max_length=200)
    level: int
    unit_code: str = Field(max_length=32, index=True)
    hours: int
    attended_hours: float = Field(default=0.0, sa_type=Float)
    subsidy_fen: int = Field(sa_type=BigInteger)
    # The Asia/Shanghai calendar year whose cap this order counts against, fixed at selection.
    subsidy_year: int
    funding_source: str = Field(max_length=32)
    status: str = Field(default="selected", max_length=16)
    certificate_number: str | None = Field(default=None, max_length=64)
    result_id: int | None = None
    reason: str | None = Field(default=None, max_length=500)
    # The eligibility decision: the rule-set version and the facts it was decided on
    # (services/enrolment/eligibility/rules.py), so an auditor can replay it.
    rule_version: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    decision_facts: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSON, sa_column_kwargs={"server_default": "{}"}
    )
    # The worker's word that the training was delivered (or disputed), needed before a claim.
    delivery: str | None = Field(default=None, max_length=16)
    delivery_reason: str | None = Field(default=None, max_length=500)
    delivery_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class OrderEvent(Base, table=True):
    """Every transition of an order: who, when, from what, to what, why."""

    __tablename__ = "order_events"
    # The unit report reads one unit's steps in a period by this index, without visiting
    # the other units' events (docs/PERFORMANCE.md).
    __table_args__ = (Index("ix_order_events_unit_at", "unit_code", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    # The order's unit, copied when the event is written (repository.add_event).
    unit_code: str | None = Field(default=None, max_length=32)
    # What happened: a transition (accept, cancel, ...) or a step that keeps the status
    # (confirm_delivery, dispute_delivery).
    action: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_id: int
    actor_role: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class AttendanceRecord(Base, table=True):
    """Hours learnt, from the classroom or one of the three ends (PLAN 三端同步学习)."""

    __tablename__ = "attendance_records"
    __table_args__ = (
        CheckConstraint(f"hours > 0 AND hours <= {MAX_HOURS_PER_RECORD}", name="hours_range"),
        CheckConstraint(f"channel IN {sql_in(CHANNELS)}", name="channel_known"),
        CheckConstraint(
            "started_at IS NULL OR (ended_at IS NOT NULL AND started_at < ended_at)",
            name="session_ordered",
        ),
        Index("ix_attendance_records_worker_started", "worker_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    # Copied from the order, so the anomaly checks read one worker's records by index.
    worker_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    attended_on: dt.date
    hours: float = Field(sa_type=Float)
    channel: str = Field(max_length=16)
    # A timed session: a classroom session or an online session from one of the three ends.
    started_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ended_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    device_id: str | None = Field(default=None, max_length=64, index=True)
    recorded_by: int
    recorded_role: str = Field(max_length=16)
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class WorkerYearCount(Base, table=True):
    """Subsidy-bearing orders per worker and year: the cap is a CHECK on this counter."""

    __tablename__ = "worker_year_counts"
    __table_args__ = (
        # PLAN §二.(二).11: at most 3 subsidised trainings per person per year.
        CheckConstraint(f"count BETWEEN 0 AND {YEARLY_CAP}", name="count_within_cap"),
    )

    worker_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    count: int = 0
