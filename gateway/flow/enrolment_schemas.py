"""Public schemas of the enrolment issue's routes: profile facts, eligibility reasons,
notifications, the demand catalogue, timelines, learning sessions and anomaly flags."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from gateway.flow.schemas import AttendanceIn, Order, ProfileIn
from gateway.strict import RequestModel
from plumbing.ids import normalise_credit_code

Programme = Literal["spread_wings", "veteran", "poor_labour"]


class WorkerProfileIn(ProfileIn):
    """The real-name profile plus the group facts the subsidy rules read."""

    employer_credit_code: str | None = Field(
        default=None, max_length=32, description="enterprise employees: the employer's USCC"
    )
    unemployment_insurance_months: int = Field(
        default=0, ge=0, le=1200, description="months insured against unemployment (展翅行动)"
    )
    discharged_on: dt.date | None = Field(default=None, description="veterans: discharge date")
    registered_poor: bool = Field(default=False, description="registered poor household (建档立卡)")

    @field_validator("employer_credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        return None if value is None else normalise_credit_code(value)


class WorkerProfile(BaseModel):
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


class RuleReason(BaseModel):
    code: str = Field(description="stable reason code, e.g. yearly_cap_reached")
    clause: str = Field(description="the plan clause the rule implements")
    detail: str = Field(description="a plain-language sentence (Chinese; English on request)")


class EligibilityDecision(BaseModel):
    eligible: bool
    rule_version: str
    reasons: list[RuleReason]
    facts: dict[str, Any] = Field(description="the facts the rules decided on")


class Decision(BaseModel):
    order_id: int
    rule_version: str
    current_rule_version: str
    facts: dict[str, Any]
    eligible: bool
    reasons: list[RuleReason]


class Notification(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    offering_id: int | None
    order_id: int | None
    request_id: int | None
    read: bool
    read_at: dt.datetime | None
    created_at: dt.datetime


class NotificationFeed(BaseModel):
    items: list[Notification]
    total: int
    unread: int
    limit: int
    offset: int


class MarkedRead(BaseModel):
    marked: int


class DemandRow(BaseModel):
    occupation_code: str
    occupation_name: str | None = Field(description="from the training catalogues")
    level: int
    unit_code: str
    requests: int = Field(description="live requests (open or matched)")
    matched: int = Field(description="of which a listed offering already matches")
    unmatched: int


class DemandCatalogue(BaseModel):
    """The worker training-demand catalogue (劳动者培训需求目录)."""

    items: list[DemandRow]
    total_requests: int
    total_matched: int


class TimelineEvent(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: int
    actor_role: str
    reason: str | None
    at: dt.datetime


class Timeline(BaseModel):
    order_id: int
    status: str
    items: list[TimelineEvent]


class DeliveredOrder(Order):
    delivery: str | None = None
    delivery_reason: str | None = None
    delivery_at: dt.datetime | None = None


class TimedAttendanceIn(AttendanceIn):
    """`{on, hours, channel}` as in the contract; optionally a timed session and, for the
    online ends, the device."""

    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    device_id: str | None = Field(default=None, min_length=1, max_length=64)


class LearningSessionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "app",
                    "started_at": "2026-03-02T19:00:00+08:00",
                    "ended_at": "2026-03-02T20:30:00+08:00",
                    "device_id": "a1b2c3d4",
                }
            ]
        }
    )
    channel: Literal["pc", "app", "wechat"]
    started_at: AwareDatetime
    ended_at: AwareDatetime
    device_id: str = Field(min_length=1, max_length=64)


class LearningRecord(BaseModel):
    id: int
    order_id: int
    on: dt.date
    hours: float
    channel: str
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    device_id: str | None = None
    attended_hours: float
    status: str
    flags: list[str] = Field(description="anomaly kinds this record raised on the order")


class Flag(BaseModel):
    id: int
    order_id: int
    worker_id: int
    unit_code: str
    kind: str
    detail: str
    status: str
    resolved_by: int | None
    resolution_reason: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime


class FlagResolutionIn(RequestModel):
    resolution: Literal["cleared", "confirmed"]
    reason: str = Field(min_length=1, max_length=500)


class WithdrawalIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class Withdrawal(BaseModel):
    offering: dict[str, Any]
    orders_cancelled: int


class SweepResult(BaseModel):
    orders_expired: int
    requests_expired: int
