"""Evaluation sessions and their candidates; the database holds the capacity."""

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
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.evaluation.db import Base, in_list

STATUSES = ("scheduled", "cancelled")


class EvaluationSession(Base, table=True):
    __tablename__ = "evaluation_sessions"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        # The seat rule itself: a registration that would overfill the session fails here.
        CheckConstraint("registered >= 0 AND registered <= capacity", name="within_capacity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation_bodies.id"), nullable=False, index=True)
    )
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    held_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    place: str = Field(sa_column=Column(String(200), nullable=False))
    capacity: int = Field(sa_column=Column(Integer, nullable=False))
    registered: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    status: str = Field(default="scheduled", sa_column=Column(String(16), nullable=False))
    created_by: int | None = Field(default=None, sa_column=Column(Integer))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Candidate(Base, table=True):
    """A registration: from a completed order (order_id, worker_id) or direct
    (evaluation only: name and ID number, encrypted, with a keyed hash for uniqueness)."""

    __tablename__ = "candidates"
    __table_args__ = (
        CheckConstraint(
            "(order_id IS NOT NULL) <> (id_number_hash IS NOT NULL)", name="one_kind_of_candidate"
        ),
        # An order sits in one session; an ID number at most once per session.
        UniqueConstraint("order_id"),
        UniqueConstraint("session_id", "id_number_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation_sessions.id"), nullable=False, index=True)
    )
    order_id: int | None = Field(default=None, sa_column=Column(Integer))
    worker_id: int | None = Field(default=None, sa_column=Column(Integer))
    name_masked: str = Field(sa_column=Column(String(64), nullable=False))
    name_encrypted: str | None = Field(default=None, sa_column=Column(String(500)))
    id_number_encrypted: str | None = Field(default=None, sa_column=Column(String(500)))
    id_number_hash: str | None = Field(default=None, sa_column=Column(String(64)))
    id_number_masked: str | None = Field(default=None, sa_column=Column(String(18)))
    registered_by: int | None = Field(default=None, sa_column=Column(Integer))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
