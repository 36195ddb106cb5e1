"""Request and response models of training requests."""

from __future__ import annotations

from pydantic import BaseModel

from services.enrolment.fields import Level, OccupationCode, UnitCode, UtcDatetime


class RequestCreate(BaseModel):
    occupation_code: OccupationCode
    level: Level
    unit_code: UnitCode


class RequestPublic(BaseModel):
    id: int
    worker_id: int
    occupation_code: str
    level: int
    unit_code: str
    status: str
    created_at: UtcDatetime
