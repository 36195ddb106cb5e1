"""Request and response models of the catalogues, their versions and the units."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.institutions.fields import (
    CatalogueName,
    Level,
    OccupationCode,
    TrainingType,
    UtcDateTime,
)

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class CatalogueItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    catalogue: str
    occupation_code: str
    occupation_name: str
    level: int
    subsidy_fen: int
    standard_hours: int
    training_types: list[str]
    industry: str | None
    since_version: int
    until_version: int | None


class ItemKey(BaseModel):
    catalogue: CatalogueName
    occupation_code: OccupationCode
    level: Level

    def key(self) -> tuple[str, str, int]:
        return (self.catalogue, self.occupation_code, self.level)


class CatalogueItemIn(ItemKey):
    """One item of a catalogue version, as government publishes or uploads it."""

    occupation_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    training_types: list[TrainingType] = Field(min_length=1, max_length=9)
    standard_hours: int = Field(gt=0, le=2_000)
    subsidy_fen: int = Field(gt=0, le=10**8)
    industry: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None

    @field_validator("training_types")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("industry")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class VersionCreate(BaseModel):
    """A new version: `items` are added or changed, `retire` are taken out; with `replace`,
    `items` is the whole new catalogue and everything else is retired."""

    effective_on: dt.date
    note: Note | None = None
    items: list[CatalogueItemIn] = Field(default_factory=list, max_length=5_000)
    retire: list[ItemKey] = Field(default_factory=list, max_length=5_000)
    replace: bool = False


class VersionImport(BaseModel):
    """A whole catalogue uploaded as CSV or XLSX (base64, as the gateway forwards it)."""

    effective_on: dt.date
    note: Note | None = None
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=1, max_length=8_000_000)


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    effective_on: dt.date
    note: str | None
    source: str
    added: int
    changed: int
    retired: int
    published_by: int | None
    published_at: UtcDateTime


class VersionExport(BaseModel):
    filename: str
    media_type: str
    content_base64: str


ExportFormat = Literal["csv", "xlsx"]


class UnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    kind: str
    gb2260: str | None
    quota_2019: int


class UnitList(BaseModel):
    items: list[UnitPublic]
    total: int
    quota_2019_total: int
