"""Request and response models of the special account."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.enrolment.fields import FundingSource, UtcDatetime


class DepositCreate(BaseModel):
    source: FundingSource
    amount_fen: int = Field(gt=0, le=10**13)
    reference: str | None = Field(default=None, max_length=100)


class DepositPublic(BaseModel):
    id: int
    source: str
    amount_fen: int
    balance_fen: int
    reference: str | None
    deposited_by: int
    created_at: UtcDatetime


class SourceBalance(BaseModel):
    source: str
    # Posted: deposits minus payments.
    balance_fen: int
    # Set aside by approved, unpaid claims.
    held_fen: int
    available_fen: int


class BalancePublic(BaseModel):
    balance_fen: int
    held_fen: int
    available_fen: int
    by_source: list[SourceBalance]


class LedgerEntryPublic(BaseModel):
    id: int
    txn_id: str
    account: str
    source: str
    amount_fen: int
    kind: str
    claim_id: int | None
    deposit_id: int | None
    created_at: UtcDatetime


class BreakPublic(BaseModel):
    kind: str
    ref: str
    detail: str


class ReconciliationPublic(BaseModel):
    consistent: bool
    breaks: list[BreakPublic]
