"""The special account (PLAN §三.(二)): deposits, payments out, balances per source."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import utcnow
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.enrolment.fields import FUNDING_SOURCES
from services.enrolment.ledger import repository
from services.enrolment.ledger.models import (
    Deposit,
    external_account,
    payable_account,
    special_account,
)
from services.enrolment.ledger.schemas import (
    BalancePublic,
    DepositCreate,
    DepositPublic,
    LedgerEntryPublic,
    SourceBalance,
)

# Demo mode: a funded special account (fen), so the whole flow can be tried at once.
DEMO_FUNDS = {
    "special_training": 500_000_000,
    "employment_subsidy": 100_000_000,
    "entrepreneurship": 50_000_000,
    "employee_education": 50_000_000,
    "unemployment_insurance": 100_000_000,
}


async def _deposit(
    session: AsyncSession, source: str, amount_fen: int, reference: str | None, by: int
) -> Deposit:
    deposit = Deposit(
        source=source,
        amount_fen=amount_fen,
        reference=reference,
        deposited_by=by,
        created_at=utcnow(),
    )
    session.add(deposit)
    await session.flush()
    await repository.credit(session, source, amount_fen)
    repository.add_pair(
        session,
        source,
        special_account(source),
        external_account(source),
        amount_fen,
        deposit_id=deposit.id,
    )
    return deposit


async def deposit_funds(
    session: AsyncSession, principal: Principal, body: DepositCreate
) -> DepositPublic:
    """Pay money from one of the pooled funds into the special account."""
    require_role(principal, "finance")
    deposit = await _deposit(session, body.source, body.amount_fen, body.reference, principal.id)
    await session.commit()
    assert deposit.id is not None
    return DepositPublic(
        id=deposit.id,
        source=deposit.source,
        amount_fen=deposit.amount_fen,
        balance_fen=await repository.balance_of(session, body.source),
        reference=deposit.reference,
        deposited_by=deposit.deposited_by,
        created_at=deposit.created_at,
    )


async def pay_out(
    session: AsyncSession, source: str, amount_fen: int, claim_id: int, institution_id: int
) -> bool:
    """Inside the caller's transaction: take the money from the source and book the pair.
    False (nothing written) when the source lacks the money."""
    # DESIGN "Rules": the special account never goes below zero (conditional UPDATE + CHECK).
    if amount_fen > 0 and not await repository.debit(session, source, amount_fen):
        return False
    if amount_fen > 0:
        repository.add_pair(
            session,
            source,
            payable_account(institution_id),
            special_account(source),
            amount_fen,
            claim_id=claim_id,
        )
    return True


async def get_balance(session: AsyncSession, principal: Principal) -> BalancePublic:
    """The special account's balance, per funding source (each accounted separately)."""
    require_role(principal, "finance", "government", "admin")
    known = await repository.balances(session)
    by_source = [SourceBalance(source=s, balance_fen=known.get(s, 0)) for s in FUNDING_SOURCES]
    return BalancePublic(balance_fen=sum(b.balance_fen for b in by_source), by_source=by_source)


async def list_ledger(
    session: AsyncSession, principal: Principal, limit: int, offset: int
) -> Page[LedgerEntryPublic]:
    """The ledger's entries, newest first."""
    require_role(principal, "finance", "admin")
    items, total = await repository.list_entries(session, limit, offset)
    return Page(
        items=[LedgerEntryPublic.model_validate(e, from_attributes=True) for e in items],
        total=total,
        limit=limit,
        offset=offset,
    )


async def seed_demo_funds(session: AsyncSession) -> bool:
    """Demo mode: fund the special account once (nothing if the ledger has any entry)."""
    if await repository.count_entries(session) > 0:
        return False
    for source, amount in DEMO_FUNDS.items():
        await _deposit(session, source, amount, "demo", 0)
    await session.commit()
    return True
