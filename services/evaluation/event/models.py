"""Lifecycle events: bodies, results and certificates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, String
from sqlmodel import Field

from plumbing.clock import utcnow
from services.evaluation.db import Base, in_list

ENTITIES = (
    "evaluation_body",
    "result",
    "certificate",
    "catalogue_version",
    "session",
    "candidate",
    "entitlement",
)


class Event(Base, table=True):
    """One transition of one entity (from → to), who did it, and why."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(in_list("entity", ENTITIES), name="entity_known"),
        Index("ix_events_entity_entity_id", "entity", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(sa_column=Column(String(24), nullable=False))
    entity_id: int = Field(sa_column=Column(Integer, nullable=False))
    from_status: str | None = Field(default=None, sa_column=Column(String(16)))
    to_status: str = Field(sa_column=Column(String(16), nullable=False))
    actor_id: int | None = Field(default=None, sa_column=Column(Integer))
    actor_role: str | None = Field(default=None, sa_column=Column(String(16)))
    reason: str | None = Field(default=None, sa_column=Column(String(500)))
    at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
