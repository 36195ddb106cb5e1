"""Request and response models of offerings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from services.enrolment.fields import (
    FundingSource,
    Level,
    OccupationCode,
    TrainingType,
    UnitCode,
    UtcDatetime,
)

Programme = Literal["spread_wings", "veteran", "poor_labour"]


class OfferingCreate(BaseModel):
    institution_id: int = Field(gt=0)
    institution_name: str = Field(min_length=1, max_length=200)
    occupation_code: OccupationCode
    occupation_name: str = Field(min_length=1, max_length=200)
    level: Level
    unit_code: UnitCode
    capacity: int = Field(gt=0, le=10_000)
    hours: int = Field(gt=0, le=2_000)
    starts_on: dt.date
    ends_on: dt.date
    subsidy_fen: int = Field(ge=0, le=10**9)
    catalogue_item_id: int = Field(gt=0)
    funding_source: FundingSource = "special_training"
    training_type: TrainingType = "employment_skills"
    # A programme with conditions on who may join (eligibility rules), e.g. spread_wings.
    programme: Programme | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> OfferingCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class OfferingPublic(BaseModel):
    id: int
    institution_id: int
    institution_name: str
    occupation_code: str
    occupation_name: str
    level: int
    unit_code: str
    capacity: int
    seats_taken: int
    seats_left: int
    hours: int
    starts_on: dt.date
    ends_on: dt.date
    subsidy_fen: int
    catalogue_item_id: int
    funding_source: str
    training_type: str
    programme: str | None
    status: str
    withdrawn_reason: str | None
    listed_by: int
    created_at: UtcDatetime


class Withdrawal(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class WithdrawalPublic(BaseModel):
    offering: OfferingPublic
    orders_cancelled: int
