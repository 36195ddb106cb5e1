"""Request and response models of anomaly flags."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.enrolment.fields import UtcDatetime


class FlagResolution(BaseModel):
    """Government's finding: `cleared` (no fraud) or `confirmed` (the anomaly is real)."""

    resolution: Literal["cleared", "confirmed"]
    reason: str = Field(min_length=1, max_length=500)


class FlagPublic(BaseModel):
    id: int
    order_id: int
    worker_id: int
    unit_code: str
    kind: str
    detail: str
    record_id: int | None
    status: str
    resolved_by: int | None
    resolution_reason: str | None
    resolved_at: UtcDatetime | None
    created_at: UtcDatetime
