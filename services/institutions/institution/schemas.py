"""Request and response models of the institution catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from plumbing.clock import shanghai_today
from plumbing.ids import check_unit_code, normalise_credit_code, normalise_phone
from services.institutions.fields import Level, OccupationCode, UtcDateTime

Kind = Literal["vocational_college", "technical_school", "private", "enterprise"]
Status = Literal["active", "suspended", "revoked"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Approval(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    occupation_code: OccupationCode
    level: Level


class InstitutionCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    credit_code: str = Field(max_length=64)
    kind: Kind
    unit_code: str
    approvals: list[Approval] = Field(default_factory=list, max_length=500)
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    contact_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = (
        None
    )
    contact_phone: str | None = Field(default=None, max_length=32)

    _credit_code = field_validator("credit_code")(normalise_credit_code)
    _unit_code = field_validator("unit_code")(check_unit_code)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value) if value else None

    @field_validator("approvals")
    @classmethod
    def _distinct(cls, value: list[Approval]) -> list[Approval]:
        # Each occupation and level is approved once per institution (also a unique index).
        keys = [(a.occupation_code, a.level) for a in value]
        if len(set(keys)) != len(keys):
            raise ValueError("an occupation and level is listed twice")
        return value


class Suspension(BaseModel):
    reason: Reason
    until: dt.date | None = None

    @field_validator("until")
    @classmethod
    def _not_past(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value < shanghai_today():
            raise ValueError("a suspension cannot end in the past")
        return value


class OptionalReason(BaseModel):
    reason: Reason | None = None


class Revocation(BaseModel):
    reason: Reason


class InstitutionPublic(BaseModel):
    id: int
    name: str
    credit_code: str
    kind: str
    unit_code: str
    status: str
    status_reason: str | None
    suspended_until: dt.date | None
    approvals: list[Approval]
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class InstitutionEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institution_id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_role: str | None
    reason: str | None
    at: UtcDateTime


class EventList(BaseModel):
    items: list[InstitutionEventPublic]
    total: int
