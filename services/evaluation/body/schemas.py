"""Request and response models for evaluation bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plumbing.ids import normalise_credit_code
from services.evaluation.fields import UtcDatetime

Kind = Literal["third_party", "employer"]
Status = Literal["active", "suspended", "revoked"]


class BodyCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    credit_code: str | None = None

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
    created_at: UtcDatetime
    updated_at: UtcDatetime
