"""Order 5 (政府买单): institutions claim, government approves, finance pays from the
special account — each payment once, by someone other than the approver."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.errors import DomainError, InvalidState, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.enrolment.claims import repository
from services.enrolment.claims.models import Claim
from services.enrolment.claims.schemas import ClaimPublic
from services.enrolment.learning import repository as learning
from services.enrolment.ledger.service import pay_out
from services.enrolment.orders import repository as orders
from services.enrolment.orders.models import Order
from services.enrolment.orders.service import load_order, move, require_institution_of
from services.enrolment.sql import scope_filter


def to_public(claim: Claim) -> ClaimPublic:
    return ClaimPublic.model_validate(claim, from_attributes=True)


def claim_scope(principal: Principal) -> list[ColumnElement[bool]]:
    return scope_filter(
        principal,
        worker=col(Claim.worker_id),
        institution=col(Claim.institution_id),
        unit=col(Claim.unit_code),
    )


async def _load(session: AsyncSession, principal: Principal, claim_id: int) -> Claim:
    claim = await repository.get_claim(session, claim_id, claim_scope(principal))
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


async def _reread(session: AsyncSession, claim_id: int) -> ClaimPublic:
    claim = await repository.get_claim(session, claim_id, [])
    assert claim is not None
    return to_public(claim)


async def submit_claim(session: AsyncSession, principal: Principal, order_id: int) -> ClaimPublic:
    """The institution claims the training subsidy of a certified order (order → claimed)."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    # The worker's word that training happened comes before any money (DESIGN "delivery
    # confirmed"); the status change below re-checks it in the same UPDATE.
    if order.status == "certified" and order.delivery != "confirmed":
        raise DomainError(
            "delivery_not_confirmed",
            f"the worker has {'disputed' if order.delivery else 'not confirmed'} the delivery",
            delivery=order.delivery,
        )
    assert order.id is not None
    flags = await learning.open_flags(session, order.id)
    if flags:
        raise DomainError(
            "learning_flags_open",
            f"{len(flags)} anomaly flag(s) on this order await government review",
            flags=[{"id": f.id, "kind": f.kind} for f in flags],
        )
    await move(
        session,
        order,
        principal,
        "certified",
        "claimed",
        "claim the subsidy",
        only_if=(col(Order.delivery) == "confirmed",),
    )
    now = utcnow()
    assert order.id is not None
    claim = Claim(
        order_id=order.id,
        kind="training",
        institution_id=order.institution_id,
        worker_id=order.worker_id,
        unit_code=order.unit_code,
        amount_fen=order.subsidy_fen,
        funding_source=order.funding_source,
        status="submitted",
        submitted_by=principal.id,
        created_at=now,
        updated_at=now,
    )
    session.add(claim)
    try:
        await session.flush()
    except IntegrityError:
        # UNIQUE (order_id, kind): one training claim per order.
        await session.rollback()
        raise DomainError("conflict", f"order {order_id} already has a training claim") from None
    assert claim.id is not None
    repository.add_event(session, claim.id, None, "submitted", principal)
    await session.commit()
    return to_public(claim)


async def list_claims(
    session: AsyncSession, principal: Principal, status: str | None, limit: int, offset: int
) -> Page[ClaimPublic]:
    """Claims in the caller's scope, newest first."""
    where = claim_scope(principal)
    if status is not None:
        where.append(col(Claim.status) == status)
    items, total = await repository.list_claims(session, where, limit, offset)
    return Page(items=[to_public(c) for c in items], total=total, limit=limit, offset=offset)


async def get_claim(session: AsyncSession, principal: Principal, claim_id: int) -> ClaimPublic:
    """One claim, if it is in the caller's scope."""
    return to_public(await _load(session, principal, claim_id))


async def _transition(
    session: AsyncSession,
    principal: Principal,
    claim_id: int,
    from_status: str,
    to_status: str,
    action: str,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    if await repository.set_status(session, claim_id, from_status, to_status, values) == 0:
        current = await repository.status_of(session, claim_id)
        await session.rollback()
        raise InvalidState(current, action)
    repository.add_event(session, claim_id, from_status, to_status, principal, reason)


async def approve_claim(session: AsyncSession, principal: Principal, claim_id: int) -> ClaimPublic:
    """Government approves a submitted claim; the approver is recorded (and may not pay)."""
    require_role(principal, "government")
    await _load(session, principal, claim_id)
    await _transition(
        session,
        principal,
        claim_id,
        "submitted",
        "approved",
        "approve",
        values={"approved_by": principal.id, "approved_at": utcnow()},
    )
    await session.commit()
    return await _reread(session, claim_id)


async def reject_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str
) -> ClaimPublic:
    """Government rejects a claim that is not paid yet, with a reason."""
    require_role(principal, "government")
    claim = await _load(session, principal, claim_id)
    if claim.status not in ("submitted", "approved"):
        raise InvalidState(claim.status, "reject")
    await _transition(
        session, principal, claim_id, claim.status, "rejected", "reject", reason, {"reason": reason}
    )
    await session.commit()
    return await _reread(session, claim_id)


async def pay_claim(session: AsyncSession, principal: Principal, claim_id: int) -> ClaimPublic:
    """Finance pays an approved claim: claim, balance, ledger pair and order in one
    transaction, so a claim is paid at most once and the ledger always balances."""
    require_role(principal, "finance")
    claim = await _load(session, principal, claim_id)
    assert claim.id is not None
    # DESIGN "Rules": the approver is not the payer (also a CHECK on claims).
    if claim.approved_by == principal.id:
        raise DomainError("same_person", "the approver of a claim may not pay it")
    now = utcnow()
    paid = await repository.set_status(
        session, claim.id, "approved", "paid", {"paid_by": principal.id, "paid_at": now}
    )
    if not paid:
        current = await repository.status_of(session, claim.id)
        await session.rollback()
        if current == "paid":
            raise DomainError("already_paid", f"claim {claim_id} has already been paid")
        raise InvalidState(current, "pay")
    repository.add_event(session, claim.id, "approved", "paid", principal)
    source, amount = claim.funding_source, claim.amount_fen
    if not await pay_out(session, source, amount, claim.id, claim.institution_id):
        await session.rollback()
        raise DomainError(
            "insufficient_funds",
            f"the special account's {source} fund cannot pay {amount} fen",
            funding_source=source,
        )
    order = await orders.get_order(session, claim.order_id, [])
    assert order is not None
    await move(session, order, principal, "claimed", "paid", "mark paid")
    await session.commit()
    return await _reread(session, claim_id)
