"""Request and response models of the evaluation catalogue."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.evaluation.fields import UtcDatetime

OCCUPATION_CODE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$"


class EntryIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    occupation_name: str = Field(min_length=1, max_length=100)
    level: int = Field(ge=1, le=5)
    theory_pass_mark: int = Field(default=60, ge=0, le=100)
    practical_pass_mark: int = Field(default=60, ge=0, le=100)
    subsidy_fen: int = Field(ge=0, le=10**8)


class VersionCreate(BaseModel):
    """A whole new version: every trade in scope from `effective_on` on."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    effective_on: dt.date
    note: str | None = Field(default=None, max_length=500)
    entries: list[EntryIn] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _unique(self) -> VersionCreate:
        keys = [(e.occupation_code, e.level) for e in self.entries]
        if len(keys) != len(set(keys)):
            raise ValueError("each occupation_code and level may appear once")
        return self


class EntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_id: int
    occupation_code: str
    occupation_name: str
    level: int
    theory_pass_mark: int
    practical_pass_mark: int
    subsidy_fen: int


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    effective_on: dt.date
    note: str | None
    created_at: UtcDatetime
    entries: int = 0


class CatalogueAsOf(BaseModel):
    """The entries of the version in force on `as_of`."""

    as_of: dt.date
    version: VersionPublic
    items: list[EntryPublic]
    total: int
    limit: int
    offset: int
