"""Public models of order 5 beyond the foundation's: claims in full, objections, batches,
the audit check."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.strict import Id, RequestModel


class ClaimIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "training"}]})
    # The evaluation subsidy's amount is the entitlement recorded by the evaluation service;
    # the gateway reads it, the client never sends it.
    kind: Literal["training", "evaluation", "living_cost"] = "training"


class ClaimOut(BaseModel):
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
    reviewed_by: int | None = None
    notice_ends_on: dt.date | None = None
    approved_by: int | None = None
    needs_countersign: bool = False
    countersigned_by: int | None = None
    paid_by: int | None = None
    paid_at: dt.datetime | None = None
    reason: str | None = None


class Note(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "材料齐全"}]})
    reason: str | None = Field(default=None, max_length=500)


class ObjectionIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "该学员未实际参训"}]})
    reason: str = Field(min_length=1, max_length=500)


class DecisionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"uphold": False, "reason": "考勤记录完整，异议不成立"}]}
    )
    uphold: bool
    reason: str = Field(min_length=1, max_length=500)


class Objection(BaseModel):
    id: int
    claim_id: int
    reason: str
    status: str
    decided_by: int | None = None
    decision: str | None = None


class BatchIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"claim_ids": [101, 102, 103]}]})
    claim_ids: list[Id] = Field(min_length=1, max_length=500)


class BatchItem(BaseModel):
    claim_id: int
    status: str
    code: str | None = None
    detail: str | None = None


class Batch(BaseModel):
    id: int
    key: str
    total: int
    paid: int
    failed: int
    pending: int
    finished_at: dt.datetime | None = None
    items: list[BatchItem]


class AuditBreak(BaseModel):
    seq: int | None
    kind: str | None
    ref_id: int | None
    problem: str
    detail: str


class AuditCheck(BaseModel):
    ok: bool
    checked: int
    first_broken: AuditBreak | None


class SourceFunds(BaseModel):
    source: str
    # Posted: deposits minus payments.
    balance_fen: int
    # Set aside by approved, unpaid claims.
    held_fen: int
    # What approval can still hold: balance − held, never below zero.
    available_fen: int


class Funds(BaseModel):
    balance_fen: int
    held_fen: int
    available_fen: int
    by_source: list[SourceFunds]
