"""Counts kept as the transactions happen, so the unit report reads figures, not rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field

from services.enrolment.db import Base


class UnitStepCount(Base, table=True):
    """How many orders of a unit reached a step on an Asia/Shanghai day, per target group
    (the worker's group when the step was taken), trade and training type (the offering's).
    Incremented in the transaction that writes the step (stats/counts.py), never decremented:
    a step once taken stays counted for its day, as the order events themselves do."""

    __tablename__ = "unit_step_counts"
    __table_args__ = (
        CheckConstraint("n > 0", name="n_positive"),
        # The report for every unit reads one period of all units.
        Index("ix_unit_step_counts_day", "day"),
    )

    # The primary key leads with (unit_code, day): one unit's period is one index range.
    unit_code: str = Field(primary_key=True, max_length=32)
    day: dt.date = Field(primary_key=True)
    step: str = Field(primary_key=True, max_length=16)
    target_group: str = Field(primary_key=True, max_length=32)
    occupation_code: str = Field(primary_key=True, max_length=32)
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    training_type: str = Field(primary_key=True, max_length=32)
    occupation_name: str = Field(primary_key=True, max_length=200)
    n: int = 0
