"""Quotas for the years after 2019, and the units' monthly reports.

The report snapshots live here, beside the units they belong to and the supervision data of
this service: a report is the unit's signed statement to the joint conference office (PLAN
§三.(一)), composed by the gateway from every service's read-only figures and posted here
once; the figures are stored as they were, so a locked report never changes when later
transactions arrive (a correction is a new revision)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

from services.institutions.db import Base

REPORT_STATUSES = ("draft", "locked")


class UnitQuota(Base, table=True):
    """A unit's quota of subsidised training person-times for one year (2020 and later are
    entered by government; 2019 is `units.quota_2019`, from the plan's CSV)."""

    __tablename__ = "unit_quotas"
    __table_args__ = (
        CheckConstraint("quota >= 0", name="quota_not_negative"),
        CheckConstraint("year BETWEEN 2020 AND 2100", name="year_after_2019"),
    )

    unit_code: str = Field(sa_column=Column(String(32), ForeignKey("units.code"), primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    quota: int = Field(sa_column=Column(Integer, nullable=False))
    set_by: int = Field(sa_column=Column(Integer, nullable=False))
    set_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class MonthlyReport(Base, table=True):
    """One revision of a unit's report for one month."""

    __tablename__ = "monthly_reports"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'locked')", name="status_known"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint(
            "status = 'draft' OR (signed_off_by IS NOT NULL AND signed_off_at IS NOT NULL)",
            name="locked_is_signed",
        ),
        UniqueConstraint("unit_code", "month", "revision", name="uq_monthly_reports_revision"),
        # At most one open draft per unit and month: regenerating replaces it.
        Index(
            "uq_monthly_reports_one_draft",
            "unit_code",
            "month",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(sa_column=Column(String(32), ForeignKey("units.code"), nullable=False))
    month: str = Field(sa_column=Column(String(7), nullable=False, index=True))
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    narrative: str | None = Field(default=None, sa_column=Column(Text))
    generated_by: int = Field(sa_column=Column(Integer, nullable=False))
    generated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    signed_off_by: int | None = Field(default=None, sa_column=Column(Integer))
    signed_off_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
