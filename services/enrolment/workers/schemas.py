"""Request and response models of worker profiles and eligibility."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

from plumbing.ids import normalise_credit_code, normalise_id_number, normalise_phone
from services.enrolment.fields import Group, UnitCode, UtcDatetime


class ProfileUpdate(BaseModel):
    """The real-name profile. Its repr hides personal data, so it never reaches a log."""

    id_number: str = Field(max_length=64, repr=False)
    name: str = Field(min_length=1, max_length=50, repr=False)
    phone: str = Field(max_length=32, repr=False)
    unit_code: UnitCode
    group: Group
    receives_pension: bool
    # Group-specific facts the eligibility rules read (PLAN "Who is trained").
    employer_credit_code: str | None = Field(default=None, max_length=32)
    unemployment_insurance_months: int = Field(default=0, ge=0, le=1200)
    discharged_on: dt.date | None = None
    registered_poor: bool = False

    _id_number = field_validator("id_number")(normalise_id_number)
    _phone = field_validator("phone")(normalise_phone)

    @field_validator("employer_credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        return None if value is None else normalise_credit_code(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        name = value.strip()
        if not name:
            raise ValueError("name must not be blank")
        return name


class ProfilePublic(BaseModel):
    worker_id: int
    id_number_masked: str
    name: str
    phone_masked: str
    unit_code: str
    group: str
    receives_pension: bool
    birth_date: dt.date
    sex: str
    age: int
    employer_credit_code: str | None
    unemployment_insurance_months: int
    discharged_on: dt.date | None
    registered_poor: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime
