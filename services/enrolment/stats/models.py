"""Counts kept as the transactions happen, so the unit report reads figures, not rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field

from services.enrolment.db import Base


class UnitStepCount(Base, table=True):
    """How many orders of a unit reached a step (or were selected) in a period, counted two
    ways: per target group (the worker's group when the step was taken) and per trade and
    training type (the offering's). Each step is counted in four rows: its day and its
    month (Asia/Shanghai), each by group and by trade. The report reads whole months from the
    month rows and the days of a partial month from the day rows, so one unit-month is at
    most a few hundred rows whatever the number of orders. Incremented in the transaction
    that writes the step (stats/counts.py), never decremented: a step once taken stays
    counted for its day, as the order events themselves do."""

    __tablename__ = "unit_step_counts"
    __table_args__ = (
        CheckConstraint("n > 0", name="n_positive"),
        CheckConstraint("period IN ('day','month')", name="period_known"),
        CheckConstraint("dimension IN ('group','trade')", name="dimension_known"),
        # The report for every unit reads one period of all units.
        Index("ix_unit_step_counts_period_starts", "period", "starts_on"),
    )

    # The primary key leads with (unit_code, period, starts_on): one unit's months, or its
    # days, are one index range.
    unit_code: str = Field(primary_key=True, max_length=32)
    period: str = Field(primary_key=True, max_length=8)
    # The day, or the first day of the month.
    starts_on: dt.date = Field(primary_key=True)
    dimension: str = Field(primary_key=True, max_length=8)
    step: str = Field(primary_key=True, max_length=16)
    # A group row has the group and '' / 0 for the trade; a trade row '' for the group.
    target_group: str = Field(primary_key=True, max_length=32)
    occupation_code: str = Field(primary_key=True, max_length=32)
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    training_type: str = Field(primary_key=True, max_length=32)
    occupation_name: str = Field(primary_key=True, max_length=200)
    n: int = 0
