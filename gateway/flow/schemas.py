"""Request bodies (validated at the door) and documented response shapes of the public API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.strict import Id, RequestModel
from plumbing.ids import (
    check_unit_code,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
)

Level = Field(ge=1, le=5, description="national skill level: 5 foundation … 1 senior technician")
OccupationCode = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9.\-]+$")
Group = Literal[
    "enterprise_employee",
    "unemployed",
    "college_student",
    "migrant_worker",
    "poor_labour",
    "farmer",
    "rural_leader",
    "veteran",
    "disabled",
    "prisoner_rehab",
    "special_plan",
]
FundingSource = Literal[
    "employment_subsidy",
    "entrepreneurship",
    "special_training",
    "employee_education",
    "unemployment_insurance",
]


class Reason(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "班级已满，请选择其他班次"}]}
    )
    reason: str = Field(min_length=1, max_length=500)


class OptionalReason(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "时间冲突"}]})
    reason: str | None = Field(default=None, max_length=500)


# -- workers -----------------------------------------------------------------------------
class ProfileIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id_number": "370811199001011236",
                    "name": "王小明",
                    "phone": "13800138000",
                    "unit_code": "rencheng",
                    "group": "unemployed",
                    "receives_pension": False,
                }
            ]
        }
    )
    id_number: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(max_length=32)
    unit_code: str
    group: Group
    receives_pension: bool

    _id = field_validator("id_number")(lambda v: normalise_id_number(v))
    _phone = field_validator("phone")(lambda v: normalise_phone(v))
    _unit = field_validator("unit_code")(lambda v: check_unit_code(v))


class Profile(BaseModel):
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


class Reasoned(BaseModel):
    code: str
    detail: str


class Eligibility(BaseModel):
    eligible: bool
    reasons: list[Reasoned]


class RequestIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"}]
        }
    )
    occupation_code: str = OccupationCode
    level: int = Level
    unit_code: str

    _unit = field_validator("unit_code")(lambda v: check_unit_code(v))


class TrainingRequest(BaseModel):
    id: int
    worker_id: int
    occupation_code: str
    level: int
    unit_code: str
    status: str
    created_at: dt.datetime


# -- institutions and catalogue -----------------------------------------------------------
class Approval(RequestModel):
    """An approved occupation and level, in force from `valid_from` (today when left out)
    through `valid_until` (open-ended when left out)."""

    occupation_code: str = OccupationCode
    level: int = Level
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class InstitutionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "济宁市技工学校",
                    "credit_code": "12370800MB2852418L",
                    "kind": "technical_school",
                    "unit_code": "rencheng",
                    "approvals": [{"occupation_code": "4-10-01-05", "level": 5}],
                }
            ]
        }
    )
    name: str = Field(min_length=2, max_length=200)
    credit_code: str
    kind: Literal["vocational_college", "technical_school", "private", "enterprise"]
    unit_code: str
    approvals: list[Approval] = Field(default_factory=list, max_length=500)
    address: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = None
    licence_number: str | None = Field(default=None, max_length=64)
    licence_issued_on: dt.date | None = None
    licence_expires_on: dt.date | None = None
    yearly_capacity: int | None = Field(default=None, gt=0, le=1_000_000)

    _code = field_validator("credit_code")(lambda v: normalise_credit_code(v))
    _unit = field_validator("unit_code")(lambda v: check_unit_code(v))

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v) if v is not None else None


class Institution(BaseModel):
    id: int
    name: str
    credit_code: str
    kind: str
    unit_code: str
    status: str
    approvals: list[Approval]


class Suspension(RequestModel):
    reason: str = Field(min_length=1, max_length=500)
    until: dt.date | None = None


class CatalogueItem(BaseModel):
    id: int
    catalogue: str
    occupation_code: str
    occupation_name: str
    level: int
    subsidy_fen: int


class StaffAccount(BaseModel):
    id: int
    username: str
    role: str
    institution_id: int


# -- offerings and orders ----------------------------------------------------------------
TrainingType = Literal[
    "employment_skills",
    "job_skill_upgrade",
    "pre_job",
    "transfer",
    "apprenticeship",
    "technician",
    "entrepreneurship",
    "safety_skills",
    "practical_rural",
]


class OfferingIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "institution_id": 1,
                    "occupation_code": "4-10-01-05",
                    "level": 5,
                    "unit_code": "rencheng",
                    "capacity": 30,
                    "hours": 80,
                    "starts_on": "2026-12-01",
                    "ends_on": "2026-12-20",
                }
            ]
        }
    )
    institution_id: Id
    occupation_code: str = OccupationCode
    level: int = Level
    unit_code: str
    capacity: int = Field(gt=0, le=10_000)
    hours: int = Field(gt=0, le=2_000)
    starts_on: dt.date
    ends_on: dt.date
    funding_source: FundingSource = "special_training"
    training_type: TrainingType | None = Field(
        default=None,
        description="one of the catalogue item's training types; its first when left out",
    )
    programme: Literal["spread_wings", "veteran", "poor_labour"] | None = None

    _unit = field_validator("unit_code")(lambda v: check_unit_code(v))

    @model_validator(mode="after")
    def _dates_in_order(self) -> OfferingIn:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class Offering(BaseModel):
    id: int
    institution_id: int
    occupation_code: str
    level: int
    unit_code: str
    capacity: int
    seats_left: int
    hours: int
    starts_on: dt.date
    ends_on: dt.date
    subsidy_fen: int
    training_type: str
    status: str


class OrderIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"offering_id": 1, "request_id": 1}]})
    offering_id: Id
    request_id: Id | None = None


class Order(BaseModel):
    id: int
    worker_id: int
    offering_id: int
    institution_id: int
    occupation_code: str
    level: int
    unit_code: str
    hours: int
    attended_hours: float
    subsidy_fen: int
    subsidy_year: int
    status: str
    certificate_number: str | None = None


class AttendanceIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"on": "2026-12-02", "hours": 8, "channel": "classroom"}]}
    )
    on: dt.date
    hours: float = Field(gt=0, le=12)
    channel: Literal["classroom", "pc", "app", "wechat"]


class Attendance(BaseModel):
    id: int
    order_id: int
    on: dt.date
    hours: float
    channel: str
    attended_hours: float


# -- money -------------------------------------------------------------------------------
class Claim(BaseModel):
    id: int
    order_id: int
    kind: str
    institution_id: int
    worker_id: int
    amount_fen: int
    funding_source: str
    status: str


class SourceBalance(BaseModel):
    source: str
    balance_fen: int


class Balance(BaseModel):
    balance_fen: int
    by_source: list[SourceBalance]


class DepositIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"source": "special_training", "amount_fen": 100_000_000}]}
    )
    source: FundingSource
    amount_fen: int = Field(gt=0, le=10**13)
    reference: str | None = Field(default=None, max_length=100)


class Deposit(BaseModel):
    id: int
    source: str
    amount_fen: int
    balance_fen: int
