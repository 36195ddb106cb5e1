"""Queries on balances, holds and ledger entries. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from services.enrolment.ledger.models import FundBalance, FundHold, LedgerEntry
from services.enrolment.sql import rows_affected, table_of, upsert

TXNS = "ledger_txns"


async def hold(session: AsyncSession, source: str, amount_fen: int) -> bool:
    """Set money aside on a source, only if it is available (deposits − posted − held)."""
    stmt = (
        update(FundBalance)
        .where(
            col(FundBalance.source) == source,
            col(FundBalance.balance_fen) - col(FundBalance.held_fen) >= amount_fen,
        )
        .values(held_fen=col(FundBalance.held_fen) + amount_fen, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt) == 1


async def release(session: AsyncSession, source: str, amount_fen: int, *, posted: bool) -> bool:
    """End a hold: posted (the money leaves the balance) or voided (it is available again)."""
    values = {"held_fen": col(FundBalance.held_fen) - amount_fen, "updated_at": utcnow()}
    if posted:
        values["balance_fen"] = col(FundBalance.balance_fen) - amount_fen
    stmt = (
        update(FundBalance)
        .where(col(FundBalance.source) == source, col(FundBalance.held_fen) >= amount_fen)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt) == 1


async def debit(session: AsyncSession, source: str, amount_fen: int) -> bool:
    """Take available money out of a source directly (claims approved before holds existed)."""
    stmt = (
        update(FundBalance)
        .where(
            col(FundBalance.source) == source,
            col(FundBalance.balance_fen) - col(FundBalance.held_fen) >= amount_fen,
        )
        .values(balance_fen=col(FundBalance.balance_fen) - amount_fen, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt) == 1


async def credit(session: AsyncSession, source: str, amount_fen: int) -> None:
    table = table_of(FundBalance)
    stmt = upsert(session, FundBalance).values(
        source=source, balance_fen=amount_fen, held_fen=0, updated_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["source"],
        set_={"balance_fen": table.c.balance_fen + amount_fen, "updated_at": utcnow()},
    )
    await session.execute(stmt)


async def set_hold_status(
    session: AsyncSession, claim_id: int, from_status: str, to_status: str
) -> FundHold | None:
    """Move a claim's hold between states; the hold if it was in `from_status`."""
    stmt = select(FundHold).where(
        col(FundHold.claim_id) == claim_id, col(FundHold.status) == from_status
    )
    found = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if found is None:
        return None
    moved = (
        update(FundHold)
        .where(col(FundHold.id) == found.id, col(FundHold.status) == from_status)
        .values(status=to_status, resolved_at=utcnow())
    )
    if await rows_affected(session, moved.execution_options(synchronize_session=False)) != 1:
        return None
    return found


def add_pair(
    session: AsyncSession,
    source: str,
    debit_account: str,
    credit_account: str,
    amount_fen: int,
    kind: str,
    *,
    claim_id: int | None = None,
    deposit_id: int | None = None,
) -> list[LedgerEntry]:
    """One journal of two entries: +amount to one account, -amount to the other."""
    txn = uuid.uuid4().hex
    now = utcnow()
    entries = [
        LedgerEntry(
            txn_id=txn,
            account=account,
            source=source,
            amount_fen=amount,
            kind=kind,
            claim_id=claim_id,
            deposit_id=deposit_id,
            created_at=now,
        )
        for account, amount in ((debit_account, amount_fen), (credit_account, -amount_fen))
    ]
    session.add_all(entries)
    session.info.setdefault(TXNS, set()).add(txn)
    return entries


async def unbalanced(session: AsyncSession, txns: set[str]) -> list[str]:
    stmt = (
        select(col(LedgerEntry.txn_id))
        .where(col(LedgerEntry.txn_id).in_(txns))
        .group_by(col(LedgerEntry.txn_id))
        .having(func.sum(col(LedgerEntry.amount_fen)) != 0)
    )
    return list((await session.execute(stmt)).scalars())


async def negative_special_accounts(session: AsyncSession) -> list[str]:
    stmt = (
        select(col(LedgerEntry.account))
        .where(col(LedgerEntry.account).startswith("special:"))
        .group_by(col(LedgerEntry.account))
        .having(func.sum(col(LedgerEntry.amount_fen)) < 0)
    )
    return list((await session.execute(stmt)).scalars())


async def balances(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """source -> (posted balance, held)."""
    rows = await session.execute(
        select(col(FundBalance.source), col(FundBalance.balance_fen), col(FundBalance.held_fen))
    )
    return {source: (int(balance), int(held)) for source, balance, held in rows.all()}


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


async def entries_between(
    session: AsyncSession, source: str | None, start: dt.datetime, end: dt.datetime
) -> list[LedgerEntry]:
    stmt = select(LedgerEntry).where(
        col(LedgerEntry.created_at) >= start, col(LedgerEntry.created_at) < end
    )
    if source is not None:
        stmt = stmt.where(col(LedgerEntry.source) == source)
    return list((await session.execute(stmt.order_by(col(LedgerEntry.id)))).scalars())


async def sums_by_account_prefix(session: AsyncSession, prefix: str) -> dict[str, int]:
    stmt = (
        select(col(LedgerEntry.source), func.sum(col(LedgerEntry.amount_fen)))
        .where(col(LedgerEntry.account).startswith(prefix))
        .group_by(col(LedgerEntry.source))
    )
    return {source: int(total) for source, total in (await session.execute(stmt)).all()}


async def pending_holds_by_source(session: AsyncSession) -> dict[str, int]:
    stmt = (
        select(col(FundHold.source), func.sum(col(FundHold.amount_fen)))
        .where(col(FundHold.status) == "pending")
        .group_by(col(FundHold.source))
    )
    return {source: int(total) for source, total in (await session.execute(stmt)).all()}


async def total(session: AsyncSession) -> int:
    stmt = select(func.coalesce(func.sum(col(LedgerEntry.amount_fen)), 0))
    return int((await session.execute(stmt)).scalar() or 0)
