"""Request and response models of the institution catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from plumbing.clock import shanghai_today
from plumbing.ids import check_unit_code, normalise_credit_code, normalise_phone
from services.institutions.fields import Level, OccupationCode, UtcDateTime

Kind = Literal["vocational_college", "technical_school", "private", "enterprise"]
Status = Literal["active", "suspended", "revoked"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Text300 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Name50 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
InstitutionName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)
]


def _phone(value: str | None) -> str | None:
    return normalise_phone(value) if value else None


class Approval(BaseModel):
    """An approved occupation and level, in force from `valid_from` (today when left out)
    through `valid_until` (open-ended when left out)."""

    model_config = ConfigDict(from_attributes=True)

    occupation_code: OccupationCode
    level: Level
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Approval:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


class ApprovalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    occupation_code: str
    level: int
    valid_from: dt.date
    valid_until: dt.date | None


class ApprovalChange(Approval):
    """Add an approval or change its validity (set valid_until to withdraw it)."""

    reason: Reason | None = None


class Licence(BaseModel):
    licence_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None
    ) = None
    licence_issued_on: dt.date | None = None
    licence_expires_on: dt.date | None = None
    yearly_capacity: int | None = Field(default=None, gt=0, le=1_000_000)

    @model_validator(mode="after")
    def _licence_dates(self) -> Any:
        if (
            self.licence_issued_on
            and self.licence_expires_on
            and self.licence_expires_on < self.licence_issued_on
        ):
            raise ValueError("licence_expires_on must not be before licence_issued_on")
        return self


class InstitutionCreate(Licence):
    name: InstitutionName
    credit_code: str = Field(max_length=64)
    kind: Kind
    unit_code: str
    approvals: list[Approval] = Field(default_factory=list, max_length=500)
    address: Text300 | None = None
    contact_name: Name50 | None = None
    contact_phone: str | None = Field(default=None, max_length=32)

    _credit_code = field_validator("credit_code")(normalise_credit_code)
    _unit_code = field_validator("unit_code")(check_unit_code)
    _contact_phone = field_validator("contact_phone")(_phone)

    @field_validator("approvals")
    @classmethod
    def _distinct(cls, value: list[Approval]) -> list[Approval]:
        # Each occupation and level is approved once per institution (also a unique index).
        keys = [(a.occupation_code, a.level) for a in value]
        if len(set(keys)) != len(keys):
            raise ValueError("an occupation and level is listed twice")
        return value


class InstitutionEdit(Licence):
    """Government's edit of an institution's record; only the fields sent change."""

    name: InstitutionName | None = None
    kind: Kind | None = None
    address: Text300 | None = None
    contact_name: Name50 | None = None
    contact_phone: str | None = Field(default=None, max_length=32)
    reason: Reason | None = None

    _contact_phone = field_validator("contact_phone")(_phone)


class ContactEdit(BaseModel):
    """What an institution's own staff may change: its contact details."""

    contact_name: Name50 | None = None
    contact_phone: str | None = Field(default=None, max_length=32)
    reason: Reason | None = None

    _contact_phone = field_validator("contact_phone")(_phone)


class InstitutionStatus(BaseModel):
    """Whether an institution may take offerings and orders: what the gateway checks before
    a listing, a selection or an acceptance (one indexed read, no approvals or designations)."""

    id: int
    status: Status


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


class DesignationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    tier: str | None
    master_name: str | None
    occupation_code: str | None
    title: str | None
    awarded_on: dt.date
    expires_on: dt.date | None


class InstitutionPublic(BaseModel):
    """What anyone may read, workers included: no staff or personal data."""

    id: int
    name: str
    credit_code: str
    kind: str
    unit_code: str
    status: str
    approvals: list[ApprovalPublic] = Field(description="the approvals in force today")
    designations: list[DesignationPublic] = Field(description="the designations held today")
    rating: int | None
    rated_at: UtcDateTime | None


class InstitutionFull(InstitutionPublic):
    """Government's (and the institution's own staff's) view."""

    status_reason: str | None
    suspended_until: dt.date | None
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    licence_number: str | None
    licence_issued_on: dt.date | None
    licence_expires_on: dt.date | None
    yearly_capacity: int | None
    on_watch: bool
    approval_records: list[ApprovalPublic] = Field(
        description="every approval, past and future ones included"
    )
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
    details: dict[str, Any] | None
    at: UtcDateTime


class EventList(BaseModel):
    items: list[InstitutionEventPublic]
    total: int
