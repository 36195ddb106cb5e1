"""Training requests (order 1); together they make the worker training-demand catalogue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime
from sqlmodel import Field

from services.enrolment.db import Base


class TrainingRequest(Base, table=True):
    __tablename__ = "training_requests"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("status IN ('open','closed')", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(index=True)
    occupation_code: str = Field(max_length=32, index=True)
    level: int
    unit_code: str = Field(max_length=32, index=True)
    status: str = Field(default="open", max_length=16)
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
