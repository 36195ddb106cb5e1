"""Request and response models for evaluation bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from plumbing.ids import normalise_credit_code
from services.evaluation.fields import UtcDatetime

Kind = Literal["third_party", "employer"]
Status = Literal["active", "suspended", "revoked"]


OCCUPATION_CODE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$"


class ScopeItem(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    level: int = Field(ge=1, le=5)


def _unique_scope(scope: list[ScopeItem]) -> list[ScopeItem]:
    keys = {(s.occupation_code, s.level) for s in scope}
    if len(keys) != len(scope):
        raise ValueError("each occupation_code and level may appear once in the scope")
    return scope


class ScopeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: list[ScopeItem] = Field(max_length=500)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: list[ScopeItem]) -> list[ScopeItem]:
        return _unique_scope(value)


class BodyCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    credit_code: str | None = None
    # Accreditation: from (default: today) and until (open-ended when omitted), inclusive.
    accredited_on: dt.date | None = None
    accredited_until: dt.date | None = None
    scope: list[ScopeItem] = Field(default_factory=list, max_length=500)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: list[ScopeItem]) -> list[ScopeItem]:
        return _unique_scope(value)

    @model_validator(mode="after")
    def _ordered(self) -> BodyCreate:
        if (
            self.accredited_on is not None
            and self.accredited_until is not None
            and self.accredited_until < self.accredited_on
        ):
            raise ValueError("accredited_until must not be before accredited_on")
        return self

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        return normalise_credit_code(value) if value else None


class ReasonIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class OptionalReasonIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str | None = Field(default=None, min_length=1, max_length=500)


class BodyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: Kind
    credit_code: str | None
    status: Status
    status_reason: str | None
    accredited_on: dt.date
    accredited_until: dt.date | None
    scope: list[ScopeItem] = []
    created_at: UtcDatetime
    updated_at: UtcDatetime
