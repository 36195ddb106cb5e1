"""The special account (PLAN §三.(二)): balances per funding source and a double-entry ledger."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, DateTime, UniqueConstraint
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import FUNDING_SOURCES, sql_in


class FundBalance(Base, table=True):
    """The special account's balance for one source (分账核算: each accounted separately)."""

    __tablename__ = "fund_balances"
    __table_args__ = (
        # DESIGN "Rules": the special account never goes below zero.
        CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
        CheckConstraint(f"source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
    )

    source: str = Field(primary_key=True, max_length=32)
    balance_fen: int = Field(default=0, sa_type=BigInteger)
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
        # A claim is paid once: a second payment pair would repeat (claim_id, account).
        UniqueConstraint("claim_id", "account", name="uq_ledger_entries_claim_id_account"),
        UniqueConstraint("deposit_id", "account", name="uq_ledger_entries_deposit_id_account"),
        CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        CheckConstraint(f"source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    txn_id: str = Field(max_length=32, index=True)
    account: str = Field(max_length=64, index=True)
    source: str = Field(max_length=32)
    amount_fen: int = Field(sa_type=BigInteger)
    claim_id: int | None = Field(default=None, foreign_key="claims.id")
    deposit_id: int | None = Field(default=None, foreign_key="deposits.id")
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


def special_account(source: str) -> str:
    return f"special:{source}"


def external_account(source: str) -> str:
    return f"external:{source}"


def payable_account(institution_id: int) -> str:
    return f"payable:institution:{institution_id}"
