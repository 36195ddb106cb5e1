"""Catalogue items (occupation × level × subsidy standard) and the units of Jining."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, Column, Index, Integer, String, UniqueConstraint
from sqlmodel import Field

from services.institutions.db import Base

CATALOGUES = ("key_industry", "general")


class CatalogueItem(Base, table=True):
    __tablename__ = "catalogue_items"
    __table_args__ = (
        UniqueConstraint("catalogue", "occupation_code", "level"),
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
