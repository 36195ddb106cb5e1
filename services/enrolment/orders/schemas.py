"""Request and response models of orders, attendance and evaluation outcomes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from services.enrolment.fields import UtcDatetime
from services.enrolment.orders.rules import MAX_HOURS_PER_RECORD

OrderStatus = Literal[
    "selected",
    "accepted",
    "completed",
    "certified",
    "claimed",
    "paid",
    "cancelled",
    "rejected",
    "dropped",
    "failed",
]


class OrderCreate(BaseModel):
    offering_id: int = Field(gt=0)
    request_id: int | None = Field(default=None, gt=0)


class OptionalReason(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class AttendanceCreate(BaseModel):
    on: dt.date
    hours: float = Field(gt=0, le=MAX_HOURS_PER_RECORD)
    channel: Literal["classroom", "pc", "app", "wechat"]


class EvaluationOutcome(BaseModel):
    passed: bool
    certificate_number: str | None = Field(default=None, min_length=1, max_length=64)
    result_id: int = Field(gt=0)


class OrderPublic(BaseModel):
    id: int
    worker_id: int
    worker_name_masked: str
    offering_id: int
    request_id: int | None
    institution_id: int
    institution_name: str
    occupation_code: str
    occupation_name: str
    level: int
    unit_code: str
    hours: int
    attended_hours: float
    subsidy_fen: int
    subsidy_year: int
    funding_source: str
    status: str
    certificate_number: str | None
    result_id: int | None
    reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class AttendancePublic(BaseModel):
    id: int
    order_id: int
    on: dt.date
    hours: float
    channel: str
    recorded_by: int
    attended_hours: float
    created_at: UtcDatetime
