"""Request and response models of sessions and candidates."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from plumbing.ids import normalise_id_number
from services.evaluation.fields import UtcDatetime

OCCUPATION_CODE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$"
SessionStatus = Literal["scheduled", "cancelled"]


class SessionCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    level: int = Field(ge=1, le=5)
    held_on: dt.date
    place: str = Field(min_length=1, max_length=200)
    capacity: int = Field(gt=0, le=10_000)


class SessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    body_id: int
    occupation_code: str
    level: int
    held_on: dt.date
    place: str
    capacity: int
    registered: int
    seats_left: int = 0
    status: SessionStatus
    created_at: UtcDatetime

    @model_validator(mode="after")
    def _seats(self) -> SessionPublic:
        self.seats_left = self.capacity - self.registered
        return self


class CandidateCreate(BaseModel):
    """From a completed order (the gateway fills the order's facts in), or direct for an
    evaluation-only candidate (name and ID number)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    order_id: int | None = Field(default=None, gt=0)
    worker_id: int | None = Field(default=None, gt=0)
    occupation_code: str | None = Field(default=None, pattern=OCCUPATION_CODE)
    level: int | None = Field(default=None, ge=1, le=5)
    holder_name_masked: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=50, repr=False)
    id_number: str | None = Field(default=None, max_length=64, repr=False)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        return normalise_id_number(value) if value is not None else None

    @model_validator(mode="after")
    def _one_kind(self) -> CandidateCreate:
        from_order = (
            self.order_id,
            self.worker_id,
            self.occupation_code,
            self.level,
            self.holder_name_masked,
        )
        direct = (self.name, self.id_number)
        if all(v is not None for v in from_order) and all(v is None for v in direct):
            return self
        if all(v is not None for v in direct) and all(v is None for v in from_order):
            return self
        raise ValueError("give either order_id (from an order) or name and id_number (direct)")


class CandidatePublic(BaseModel):
    """A candidate as staff see it: the name and ID number masked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    order_id: int | None
    worker_id: int | None
    name_masked: str
    id_number_masked: str | None
    created_at: UtcDatetime
