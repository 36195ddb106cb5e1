"""Training requests (order 1); together they make the worker training-demand catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, DateTime, Index
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import sql_in

# open → matched (an offering was listed for it) → fulfilled (the worker selected one);
# or withdrawn by the worker, or expired after JINENG_REQUEST_OPEN_DAYS.
RequestStatus = Literal["open", "matched", "fulfilled", "withdrawn", "expired"]
REQUEST_STATUSES: tuple[str, ...] = get_args(RequestStatus)
# Still wanting training: what the demand catalogue counts.
LIVE_REQUEST = ("open", "matched")


class TrainingRequest(Base, table=True):
    __tablename__ = "training_requests"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint(f"status IN {sql_in(REQUEST_STATUSES)}", name="status_known"),
        Index("ix_training_requests_demand", "status", "occupation_code", "level"),
        # The unit report counts one unit's requests filed in a period.
        Index("ix_training_requests_unit_created", "unit_code", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(index=True)
    occupation_code: str = Field(max_length=32, index=True)
    level: int
    unit_code: str = Field(max_length=32, index=True)
    status: str = Field(default="open", max_length=16)
    matched_offering_id: int | None = None
    order_id: int | None = None
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
