"""Closing a transaction that touched the books: the ledger's invariants are checked in the
transaction (on SQLite the only guard; on PostgreSQL triggers check them again at commit),
the new rows are appended to the audit chain, then it commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrolment.audit import service as audit
from services.enrolment.ledger import repository


class LedgerInvariantBroken(RuntimeError):
    """A bug, never a business outcome: the transaction is rolled back."""


async def commit(session: AsyncSession, audit_key: str) -> None:
    txns: set[str] = session.info.pop(repository.TXNS, set())
    if txns:
        await session.flush()
        # Double entry: every journal of this transaction sums to zero.
        broken = await repository.unbalanced(session, txns)
        # DESIGN "Rules": the special account never goes below zero.
        negative = await repository.negative_special_accounts(session)
        if broken or negative:
            await session.rollback()
            raise LedgerInvariantBroken(f"unbalanced journals {broken}, negative {negative}")
    await audit.seal(session, audit_key)
    await session.commit()
