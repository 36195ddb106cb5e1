"""The special account (PLAN §三.(二)): deposits, two-phase holds and payments per funding
source, clawbacks, balances."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import SHANGHAI, utcnow
from plumbing.errors import DomainError
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.enrolment.audit import service as audit
from services.enrolment.claims.models import Claim
from services.enrolment.fields import FUNDING_SOURCES
from services.enrolment.ledger import repository
from services.enrolment.ledger.books import commit
from services.enrolment.ledger.models import (
    Deposit,
    FundHold,
    LedgerEntry,
    external_account,
    payable_account,
    receivable_account,
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


def _book(
    session: AsyncSession,
    source: str,
    debit_account: str,
    credit_account: str,
    amount_fen: int,
    kind: str,
    **refs: int | None,
) -> list[LedgerEntry]:
    entries = repository.add_pair(
        session, source, debit_account, credit_account, amount_fen, kind, **refs
    )
    for entry in entries:
        audit.note(session, entry)
    return entries


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
    _book(
        session,
        source,
        special_account(source),
        external_account(source),
        amount_fen,
        "deposit",
        deposit_id=deposit.id,
    )
    return deposit


async def deposit_funds(
    session: AsyncSession, principal: Principal, body: DepositCreate, audit_key: str
) -> DepositPublic:
    """Pay money from one of the pooled funds into the special account."""
    require_role(principal, "finance")
    deposit = await _deposit(session, body.source, body.amount_fen, body.reference, principal.id)
    await commit(session, audit_key)
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


async def place_hold(session: AsyncSession, claim: Claim) -> bool:
    """Approval sets the claim's money aside on its source (phase one). False, with nothing
    written, when the source's available balance is short."""
    assert claim.id is not None
    # Issue 6: available = deposits − posted − pending holds, never below zero.
    if claim.amount_fen > 0 and not await repository.hold(
        session, claim.funding_source, claim.amount_fen
    ):
        return False
    session.add(
        FundHold(
            claim_id=claim.id,
            source=claim.funding_source,
            amount_fen=claim.amount_fen,
            status="pending",
            created_at=utcnow(),
        )
    )
    return True


async def void_hold(session: AsyncSession, claim_id: int) -> None:
    """A rejected claim's hold is voided: its money is available again."""
    found = await repository.set_hold_status(session, claim_id, "pending", "voided")
    if found is not None and found.amount_fen > 0:
        released = await repository.release(session, found.source, found.amount_fen, posted=False)
        assert released, "a pending hold is always covered by held_fen"


async def post_payment(session: AsyncSession, claim: Claim) -> bool:
    """Payment posts the hold (phase two) and books the pair special → payee. False, with
    nothing written, if there is no hold and the source cannot pay."""
    assert claim.id is not None
    source, amount = claim.funding_source, claim.amount_fen
    found = await repository.set_hold_status(session, claim.id, "pending", "posted")
    if found is not None:
        if found.amount_fen > 0:
            posted = await repository.release(session, source, found.amount_fen, posted=True)
            assert posted, "a pending hold is always covered by held_fen"
    elif amount > 0 and not await repository.debit(session, source, amount):
        return False  # approved before holds existed, and the money is not there
    if amount > 0:
        _book(
            session,
            source,
            payable_account(claim.payee_kind, claim.payee_id),
            special_account(source),
            amount,
            "payment",
            claim_id=claim.id,
        )
    return True


def claw_back(session: AsyncSession, claim: Claim) -> None:
    """A paid claim found improper: the payment is reversed by new entries (never an edit)
    and the money becomes a receivable from the payee."""
    assert claim.id is not None
    source, amount = claim.funding_source, claim.amount_fen
    if amount == 0:
        return
    payable = payable_account(claim.payee_kind, claim.payee_id)
    _book(session, source, special_account(source), payable, amount, "reversal", claim_id=claim.id)
    _book(
        session,
        source,
        receivable_account(claim.payee_kind, claim.payee_id),
        special_account(source),
        amount,
        "receivable",
        claim_id=claim.id,
    )


async def get_balance(session: AsyncSession, principal: Principal) -> BalancePublic:
    """The special account's balance, per funding source (each accounted separately)."""
    require_role(principal, "finance", "government", "admin")
    known = await repository.balances(session)
    by_source = []
    for s in FUNDING_SOURCES:
        balance, held = known.get(s, (0, 0))
        by_source.append(
            SourceBalance(
                source=s, balance_fen=balance, held_fen=held, available_fen=balance - held
            )
        )
    return BalancePublic(
        balance_fen=sum(b.balance_fen for b in by_source),
        held_fen=sum(b.held_fen for b in by_source),
        available_fen=sum(b.available_fen for b in by_source),
        by_source=by_source,
    )


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


async def seed_demo_funds(session: AsyncSession, audit_key: str) -> bool:
    """Demo mode: fund the special account once (nothing if the ledger has any entry)."""
    if await repository.count_entries(session) > 0:
        return False
    for source, amount in DEMO_FUNDS.items():
        await _deposit(session, source, amount, "demo", 0)
    await commit(session, audit_key)
    return True


async def ledger_period(
    session: AsyncSession,
    principal: Principal,
    source: str | None,
    from_on: dt.date,
    to_on: dt.date,
) -> list[LedgerEntryPublic]:
    """Entries booked on the Asia/Shanghai days from `from_on` to `to_on`, oldest first."""
    require_role(principal, "finance", "admin")
    if to_on < from_on:
        raise DomainError("validation_failed", "to_on is before from_on")
    # Bounds in UTC, as the entries are stored (SQLite keeps the wall time only).
    start = dt.datetime.combine(from_on, dt.time(), SHANGHAI).astimezone(dt.UTC)
    end = dt.datetime.combine(to_on + dt.timedelta(days=1), dt.time(), SHANGHAI).astimezone(dt.UTC)
    entries = await repository.entries_between(session, source, start, end)
    return [LedgerEntryPublic.model_validate(e, from_attributes=True) for e in entries]
