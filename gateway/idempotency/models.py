"""Idempotency records: one per (caller, Idempotency-Key)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field

from gateway.db import Base
from plumbing.clock import utcnow


class IdempotencyRecord(Base, table=True):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int
    key: str = Field(max_length=200)
    method: str = Field(max_length=8)
    path: str = Field(max_length=300)
    request_hash: str = Field(max_length=64)
    # in_progress while the first request runs; done once its answer is stored.
    state: str = Field(default="in_progress", max_length=16)
    response_status: int | None = None
    response_body: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
