"""Queries on balances and ledger entries. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from services.enrolment.ledger.models import FundBalance, LedgerEntry
from services.enrolment.sql import rows_affected, table_of, upsert


async def debit(session: AsyncSession, source: str, amount_fen: int) -> bool:
    """Take money out of a source, only if it is there (DESIGN: never below zero)."""
    stmt = (
        update(FundBalance)
        .where(col(FundBalance.source) == source, col(FundBalance.balance_fen) >= amount_fen)
        .values(balance_fen=col(FundBalance.balance_fen) - amount_fen, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt) == 1


async def credit(session: AsyncSession, source: str, amount_fen: int) -> None:
    table = table_of(FundBalance)
    stmt = upsert(session, FundBalance).values(
        source=source, balance_fen=amount_fen, updated_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["source"],
        set_={"balance_fen": table.c.balance_fen + amount_fen, "updated_at": utcnow()},
    )
    await session.execute(stmt)


def add_pair(
    session: AsyncSession,
    source: str,
    debit_account: str,
    credit_account: str,
    amount_fen: int,
    *,
    claim_id: int | None = None,
    deposit_id: int | None = None,
) -> None:
    """Two entries of one transaction: +amount to one account, -amount to the other."""
    txn = uuid.uuid4().hex
    now = utcnow()
    for account, amount in ((debit_account, amount_fen), (credit_account, -amount_fen)):
        session.add(
            LedgerEntry(
                txn_id=txn,
                account=account,
                source=source,
                amount_fen=amount,
                claim_id=claim_id,
                deposit_id=deposit_id,
                created_at=now,
            )
        )


async def balances(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(col(FundBalance.source), col(FundBalance.balance_fen)))
    return {source: int(balance) for source, balance in rows.all()}


async def balance_of(session: AsyncSession, source: str) -> int:
    stmt = select(col(FundBalance.balance_fen)).where(col(FundBalance.source) == source)
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)


async def count_entries(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(LedgerEntry))).scalar() or 0)


async def list_entries(
    session: AsyncSession, limit: int, offset: int
) -> tuple[list[LedgerEntry], int]:
    stmt = select(LedgerEntry).order_by(col(LedgerEntry.id).desc()).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), await count_entries(session)


async def sums_by_account_prefix(session: AsyncSession, prefix: str) -> dict[str, int]:
    stmt = (
        select(col(LedgerEntry.source), func.sum(col(LedgerEntry.amount_fen)))
        .where(col(LedgerEntry.account).startswith(prefix))
        .group_by(col(LedgerEntry.source))
    )
    return {source: int(total) for source, total in (await session.execute(stmt)).all()}


async def total(session: AsyncSession) -> int:
    stmt = select(func.coalesce(func.sum(col(LedgerEntry.amount_fen)), 0))
    return int((await session.execute(stmt)).scalar() or 0)
