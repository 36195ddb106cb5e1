"""Response models of the catalogues and units."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
