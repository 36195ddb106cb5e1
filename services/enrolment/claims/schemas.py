"""Request and response models of claims."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from services.enrolment.fields import UtcDatetime

ClaimStatus = Literal[
    "submitted", "reviewed", "in_public_notice", "approved", "paid", "rejected", "clawed_back"
]
ClaimKind = Literal["training", "evaluation", "living_cost"]


class ClaimCreate(BaseModel):
    kind: ClaimKind = "training"
    # Evaluation subsidy only: the entitlement the gateway read from the evaluation service.
    amount_fen: int | None = Field(default=None, ge=0, le=10**10)


class ClaimReason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ClaimNote(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class ObjectionCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ObjectionDecision(BaseModel):
    uphold: bool
    reason: str = Field(min_length=1, max_length=500)


class ObjectionPublic(BaseModel):
    id: int
    claim_id: int
    filed_by: int
    filed_role: str
    reason: str
    status: str
    decided_by: int | None
    decision: str | None
    decided_at: UtcDatetime | None
    created_at: UtcDatetime


class ClaimPublic(BaseModel):
    id: int
    order_id: int
    kind: str
    institution_id: int
    worker_id: int
    unit_code: str
    payee_kind: str
    payee_id: int
    amount_fen: int
    funding_source: str
    status: str
    submitted_by: int
    reviewed_by: int | None
    reviewed_at: UtcDatetime | None
    notice_ends_on: dt.date | None
    approved_by: int | None
    approved_at: UtcDatetime | None
    needs_countersign: bool
    countersigned_by: int | None
    countersigned_at: UtcDatetime | None
    paid_by: int | None
    paid_at: UtcDatetime | None
    reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class BatchCreate(BaseModel):
    key: str = Field(min_length=8, max_length=200)
    claim_ids: list[int] = Field(min_length=1, max_length=500)


class BatchItemPublic(BaseModel):
    claim_id: int
    status: str
    code: str | None
    detail: str | None


class BatchPublic(BaseModel):
    id: int
    key: str
    total: int
    paid: int
    failed: int
    pending: int
    finished_at: UtcDatetime | None
    items: list[BatchItemPublic]
