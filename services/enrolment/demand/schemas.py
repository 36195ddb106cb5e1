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
    matched_offering_id: int | None
    order_id: int | None
    created_at: UtcDatetime
    updated_at: UtcDatetime | None


class DemandRow(BaseModel):
    """Live requests (open or matched) for one occupation, level and unit."""

    occupation_code: str
    level: int
    unit_code: str
    requests: int
    matched: int
    unmatched: int


class DemandAggregates(BaseModel):
    items: list[DemandRow]
    total_requests: int
    total_matched: int
