"""Offerings listed by government (order 2): capacity, hours, dates, subsidy fixed at listing."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.eligibility.rules import PROGRAMMES
from services.enrolment.fields import FUNDING_SOURCES, TRAINING_TYPES, sql_in

OfferingStatus = Literal["listed", "closed", "withdrawn"]
OFFERING_STATUSES: tuple[str, ...] = get_args(OfferingStatus)


class Offering(Base, table=True):
    __tablename__ = "offerings"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        # DESIGN: an offering never has more seat-holding orders than its capacity.
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_in_capacity"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("starts_on <= ends_on", name="dates_ordered"),
        CheckConstraint("subsidy_fen >= 0", name="subsidy_not_negative"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint(f"status IN {sql_in(OFFERING_STATUSES)}", name="status_known"),
        CheckConstraint(f"funding_source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
        CheckConstraint(f"programme IN {sql_in(PROGRAMMES)}", name="programme_known"),
        CheckConstraint(f"training_type IN {sql_in(TRAINING_TYPES)}", name="training_type_known"),
        Index("ix_offerings_occupation_level", "occupation_code", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(index=True)
    institution_name: str = Field(max_length=200)
    occupation_code: str = Field(max_length=32)
    occupation_name: str = Field(max_length=200)
    level: int
    unit_code: str = Field(max_length=32, index=True)
    capacity: int
    seats_taken: int = 0
    hours: int
    starts_on: dt.date
    ends_on: dt.date
    subsidy_fen: int = Field(sa_type=BigInteger)
    catalogue_item_id: int
    funding_source: str = Field(max_length=32)
    # One of the catalogue item's training types, chosen at listing (the monthly report
    # counts by it); offerings listed before enrolment_0004 are employment_skills.
    training_type: str = Field(
        max_length=32, sa_column_kwargs={"server_default": "employment_skills"}
    )
    # A programme with conditions on who may join (eligibility rules), or none.
    programme: str | None = Field(default=None, max_length=32)
    status: str = Field(default="listed", max_length=16)
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    listed_by: int
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
