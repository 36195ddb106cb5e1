"""Catalogue items (occupation × level × subsidy standard) and the units of Jining."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.institutions.db import Base

CATALOGUES = ("key_industry", "general")
VERSION_SOURCES = ("seed", "api", "csv", "xlsx")


class CatalogueVersion(Base, table=True):
    """A published state of both catalogues, in force from its effective date until the next
    version's (PLAN §二.(二).10: the catalogues are adjusted dynamically)."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("source IN ('seed', 'api', 'csv', 'xlsx')", name="source_known"),
    )

    number: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    effective_on: dt.date = Field(sa_column=Column(Date, nullable=False, index=True))
    note: str | None = Field(default=None, sa_column=Column(String(500)))
    source: str = Field(sa_column=Column(String(8), nullable=False))
    added: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    changed: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    retired: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    published_by: int | None = None
    published_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class CatalogueItem(Base, table=True):
    """One item as it stood from version `since_version` up to (not including) `until_version`.
    Changing an item ends its row and starts a new one, so every past version stays readable."""

    __tablename__ = "catalogue_items"
    __table_args__ = (
        # At most one current row per catalogue, occupation and level.
        Index(
            "uq_catalogue_items_current",
            "catalogue",
            "occupation_code",
            "level",
            unique=True,
            sqlite_where=text("until_version IS NULL"),
            postgresql_where=text("until_version IS NULL"),
        ),
        CheckConstraint(
            "until_version IS NULL OR until_version > since_version", name="versions_ordered"
        ),
        CheckConstraint("catalogue IN ('key_industry', 'general')", name="catalogue_known"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("standard_hours > 0", name="hours_positive"),
        CheckConstraint("subsidy_fen > 0", name="subsidy_positive"),
        Index("ix_catalogue_items_occupation_level", "occupation_code", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    catalogue: str = Field(sa_column=Column(String(16), nullable=False))
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    occupation_name: str = Field(sa_column=Column(String(100), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    training_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    standard_hours: int = Field(sa_column=Column(Integer, nullable=False))
    subsidy_fen: int = Field(sa_column=Column(Integer, nullable=False))
    industry: str | None = Field(default=None, sa_column=Column(String(100)))
    since_version: int = Field(
        sa_column=Column(
            Integer, ForeignKey("catalogue_versions.number"), nullable=False, index=True
        )
    )
    until_version: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("catalogue_versions.number"), index=True),
    )


class Unit(Base, table=True):
    """The 15 units (counties, districts, zones, city departments) and their 2019 quotas."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint("quota_2019 >= 0", name="quota_not_negative"),)

    code: str = Field(sa_column=Column(String(32), primary_key=True))
    name_zh: str = Field(sa_column=Column(String(50), nullable=False))
    name_en: str = Field(sa_column=Column(String(100), nullable=False))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    gb2260: str | None = Field(default=None, sa_column=Column(String(6)))
    quota_2019: int = Field(sa_column=Column(Integer, nullable=False))
