"""The special account (PLAN §三.(二)): balances per funding source and a double-entry ledger."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, DateTime, UniqueConstraint
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import FUNDING_SOURCES, sql_in

ENTRY_KINDS = ("deposit", "payment", "reversal", "receivable")
HOLD_STATUSES = ("pending", "posted", "voided")


class FundBalance(Base, table=True):
    """The special account's balance for one source (分账核算: each accounted separately)."""

    __tablename__ = "fund_balances"
    __table_args__ = (
        # DESIGN "Rules": the special account never goes below zero — neither the posted
        # balance nor what is available once pending holds are set aside.
        CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
        CheckConstraint("held_fen >= 0", name="held_not_negative"),
        CheckConstraint("balance_fen - held_fen >= 0", name="available_not_negative"),
        CheckConstraint(f"source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
    )

    source: str = Field(primary_key=True, max_length=32)
    # Posted: deposits minus payments.
    balance_fen: int = Field(default=0, sa_type=BigInteger)
    # Pending holds of approved, unpaid claims (two-phase: pending → posted or voided).
    held_fen: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class Deposit(Base, table=True):
    __tablename__ = "deposits"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(f"source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    amount_fen: int = Field(sa_type=BigInteger)
    reference: str | None = Field(default=None, max_length=100)
    deposited_by: int
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class LedgerEntry(Base, table=True):
    """One side of a transaction. `amount_fen` is signed: positive raises the account's
    balance. The entries of one `txn_id` sum to zero; `special:<source>` entries sum to that
    source's balance."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        # A claim is paid (and clawed back) once: a second pair would repeat
        # (claim_id, account, kind).
        UniqueConstraint(
            "claim_id", "account", "kind", name="uq_ledger_entries_claim_id_account_kind"
        ),
        UniqueConstraint("deposit_id", "account", name="uq_ledger_entries_deposit_id_account"),
        CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        CheckConstraint(f"source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
        CheckConstraint(f"kind IN {sql_in(ENTRY_KINDS)}", name="kind_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    txn_id: str = Field(max_length=32, index=True)
    account: str = Field(max_length=64, index=True)
    source: str = Field(max_length=32)
    amount_fen: int = Field(sa_type=BigInteger)
    kind: str = Field(
        default="payment", max_length=16, sa_column_kwargs={"server_default": "payment"}
    )
    claim_id: int | None = Field(default=None, foreign_key="claims.id")
    deposit_id: int | None = Field(default=None, foreign_key="deposits.id")
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class FundHold(Base, table=True):
    """Money set aside on one source when a claim is approved (two-phase, as TigerBeetle's
    pending transfers): posted when the claim is paid, voided when it is rejected."""

    __tablename__ = "fund_holds"
    __table_args__ = (
        UniqueConstraint("claim_id", name="uq_fund_holds_claim_id"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint(f"status IN {sql_in(HOLD_STATUSES)}", name="status_known"),
        CheckConstraint(f"source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id")
    source: str = Field(max_length=32)
    amount_fen: int = Field(sa_type=BigInteger)
    status: str = Field(default="pending", max_length=16)
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    resolved_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


def special_account(source: str) -> str:
    return f"special:{source}"


def external_account(source: str) -> str:
    return f"external:{source}"


def payable_account(payee_kind: str, payee_id: int) -> str:
    return f"payable:{payee_kind}:{payee_id}"


def receivable_account(payee_kind: str, payee_id: int) -> str:
    return f"receivable:{payee_kind}:{payee_id}"
