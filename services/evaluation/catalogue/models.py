"""Catalogue versions: each a full snapshot of the trades in scope, in force from a date."""

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
from services.evaluation.db import Base


class CatalogueVersion(Base, table=True):
    """The version in force on a date is the one with the latest `effective_on` not after it."""

    __tablename__ = "catalogue_versions"

    id: int | None = Field(default=None, primary_key=True)
    # UNIQUE: two versions never take effect on the same day, so `as_of` is unambiguous.
    effective_on: dt.date = Field(sa_column=Column(Date, nullable=False, unique=True))
    note: str | None = Field(default=None, sa_column=Column(String(500)))
    created_by: int | None = Field(default=None, sa_column=Column(Integer))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class CatalogueEntry(Base, table=True):
    """One trade at one level: its pass rule and its evaluation subsidy standard."""

    __tablename__ = "catalogue_entries"
    __table_args__ = (
        UniqueConstraint("version_id", "occupation_code", "level"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("theory_pass_mark BETWEEN 0 AND 100", name="theory_mark_range"),
        CheckConstraint("practical_pass_mark BETWEEN 0 AND 100", name="practical_mark_range"),
        CheckConstraint("subsidy_fen >= 0", name="subsidy_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("catalogue_versions.id"), nullable=False)
    )
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    occupation_name: str = Field(sa_column=Column(String(100), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    theory_pass_mark: int = Field(sa_column=Column(Integer, nullable=False))
    practical_pass_mark: int = Field(sa_column=Column(Integer, nullable=False))
    subsidy_fen: int = Field(sa_column=Column(Integer, nullable=False))
