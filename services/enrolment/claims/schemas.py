"""Request and response models of claims."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.enrolment.fields import UtcDatetime

ClaimStatus = Literal["submitted", "approved", "paid", "rejected"]


class ClaimReason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ClaimPublic(BaseModel):
    id: int
    order_id: int
    kind: str
    institution_id: int
    worker_id: int
    unit_code: str
    amount_fen: int
    funding_source: str
    status: str
    submitted_by: int
    approved_by: int | None
    approved_at: UtcDatetime | None
    paid_by: int | None
    paid_at: UtcDatetime | None
    reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
