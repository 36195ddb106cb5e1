"""Request and response models of orders, attendance and evaluation outcomes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from services.enrolment.eligibility.schemas import HeldCertificate
from services.enrolment.fields import UtcDatetime
from services.enrolment.orders.rules import MAX_HOURS_PER_RECORD

OrderStatus = Literal[
    "selected",
    "accepted",
    "in_training",
    "completed",
    "certified",
    "claimed",
    "paid",
    "cancelled",
    "rejected",
    "dropped",
    "failed",
    "expired",
]


class OrderCreate(BaseModel):
    offering_id: int = Field(gt=0)
    request_id: int | None = Field(default=None, gt=0)
    # Valid certificates the worker holds: the gateway reads them from evaluation.
    held_certificates: list[HeldCertificate] = Field(default_factory=list, max_length=200)


class OptionalReason(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class AttendanceCreate(BaseModel):
    """Hours on a day; optionally a timed session (start and end), and for the three online
    ends the device it was learnt on. Timed records feed the anomaly checks."""

    on: dt.date
    hours: float = Field(gt=0, le=MAX_HOURS_PER_RECORD)
    channel: Literal["classroom", "pc", "app", "wechat"]
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    device_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _session(self) -> AttendanceCreate:
        if (self.started_at is None) != (self.ended_at is None):
            raise ValueError("started_at and ended_at go together")
        if self.started_at is not None and self.ended_at is not None:
            if self.ended_at <= self.started_at:
                raise ValueError("ended_at must be after started_at")
            span = (self.ended_at - self.started_at).total_seconds() / 3600
            if self.hours > span + 1e-6:
                raise ValueError("hours must not exceed the session's length")
        if self.channel == "classroom" and self.device_id is not None:
            raise ValueError("device_id is for the online ends (pc, app, wechat)")
        return self


class LearningSessionCreate(BaseModel):
    """An online learning session reported by one of the three ends (PLAN 三端同步学习)."""

    channel: Literal["pc", "app", "wechat"]
    started_at: AwareDatetime
    ended_at: AwareDatetime
    device_id: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _ordered(self) -> LearningSessionCreate:
        if self.ended_at - self.started_at < dt.timedelta(minutes=1):
            raise ValueError("ended_at must be at least a minute after started_at")
        if self.ended_at - self.started_at > dt.timedelta(hours=MAX_HOURS_PER_RECORD):
            raise ValueError(f"a session lasts at most {MAX_HOURS_PER_RECORD} hours")
        return self


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
    rule_version: str
    decision_facts: dict[str, Any]
    delivery: str | None
    delivery_reason: str | None
    delivery_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class OrderEventPublic(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: int
    actor_role: str
    reason: str | None
    at: UtcDatetime


class Timeline(BaseModel):
    order_id: int
    status: str
    items: list[OrderEventPublic]


class SweepResult(BaseModel):
    """What one expiry sweep did."""

    orders_expired: int
    requests_expired: int


class AttendancePublic(BaseModel):
    id: int
    order_id: int
    on: dt.date
    hours: float
    channel: str
    recorded_by: int
    started_at: UtcDatetime | None = None
    ended_at: UtcDatetime | None = None
    device_id: str | None = None
    attended_hours: float
    status: str
    flags: list[str] = Field(default_factory=list)
    created_at: UtcDatetime
