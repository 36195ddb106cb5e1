"""A claim after filing: review → public notice (公示) with objections → approval (a hold on
the special account) → payment by finance (countersigned above a threshold), or rejection
before payment; clawback after it. Each step is a conditional transition plus its event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing import clock
from plumbing.errors import DomainError, InvalidState, NotFound
from plumbing.principal import Principal, require_role
from services.enrolment.claims import repository
from services.enrolment.claims.calendar import add_working_days
from services.enrolment.claims.models import Claim, ClaimObjection
from services.enrolment.claims.schemas import ClaimPublic, ObjectionPublic
from services.enrolment.claims.service import load_claim, to_public
from services.enrolment.config import Settings
from services.enrolment.ledger import service as ledger
from services.enrolment.ledger.books import commit
from services.enrolment.orders import repository as orders
from services.enrolment.orders.service import move

BEFORE_PAYMENT = ("submitted", "reviewed", "in_public_notice", "approved")


async def _transition(
    session: AsyncSession,
    principal: Principal,
    claim_id: int,
    from_status: str,
    to_status: str,
    action: str,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
) -> Row[Any]:
    row = await repository.set_status(session, claim_id, from_status, to_status, values)
    if row is None:
        current = await repository.status_of(session, claim_id)
        await session.rollback()
        raise InvalidState(current, action)
    repository.add_event(session, claim_id, from_status, to_status, principal, reason)
    return row


def notice_running(claim: Claim) -> bool:
    return claim.notice_ends_on is not None and clock.shanghai_today() <= claim.notice_ends_on


async def review_claim(
    session: AsyncSession,
    principal: Principal,
    claim_id: int,
    reason: str | None,
    settings: Settings,
) -> ClaimPublic:
    """A government officer reviews a submitted claim; it then goes on public notice for
    JINENG_PUBLIC_NOTICE_DAYS working days (straight to `reviewed` when that is 0)."""
    require_role(principal, "government")
    await load_claim(session, principal, claim_id)
    days = settings.public_notice_days
    ends_on = add_working_days(clock.shanghai_today(), days) if days > 0 else None
    row = await _transition(
        session,
        principal,
        claim_id,
        "submitted",
        "in_public_notice" if days > 0 else "reviewed",
        "review",
        reason,
        {"reviewed_by": principal.id, "reviewed_at": clock.utcnow(), "notice_ends_on": ends_on},
    )
    await commit(session, settings.audit_key)
    return to_public(row)


async def file_objection(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str, settings: Settings
) -> ObjectionPublic:
    """Anyone logged in may object to a claim while its public notice runs."""
    claim = await load_claim(session, principal, claim_id, scoped=False)
    if claim.status != "in_public_notice" or not notice_running(claim):
        raise DomainError("public_notice_closed", f"claim {claim_id} is not on public notice")
    objection = ClaimObjection(
        claim_id=claim_id,
        filed_by=principal.id,
        filed_role=principal.role,
        reason=reason,
        status="open",
        created_at=clock.utcnow(),
    )
    session.add(objection)
    await commit(session, settings.audit_key)
    return ObjectionPublic.model_validate(objection, from_attributes=True)


async def decide_objection(
    session: AsyncSession,
    principal: Principal,
    objection_id: int,
    uphold: bool,
    reason: str,
    settings: Settings,
) -> ObjectionPublic:
    """A government officer upholds an objection (the claim is rejected) or dismisses it."""
    require_role(principal, "government")
    objection = await repository.get_objection(session, objection_id)
    if objection is None:
        raise NotFound("objection", objection_id)
    claim = await load_claim(session, principal, objection.claim_id)
    assert claim.id is not None
    status, before = ("upheld" if uphold else "dismissed"), objection.status
    if not await repository.decide_objection(session, objection_id, status, principal.id, reason):
        await session.rollback()
        raise InvalidState(before, "decide the objection")
    if uphold and claim.status in BEFORE_PAYMENT:
        await _reject(session, principal, claim, f"objection upheld: {reason}")
    await commit(session, settings.audit_key)
    decided = await repository.get_objection(session, objection_id)
    return ObjectionPublic.model_validate(decided, from_attributes=True)


async def approve_claim(
    session: AsyncSession, principal: Principal, claim_id: int, settings: Settings
) -> ClaimPublic:
    """A second government officer approves a reviewed claim once its notice has closed with
    no open objection; its money is held on its funding source until payment."""
    require_role(principal, "government")
    claim = await load_claim(session, principal, claim_id)
    assert claim.id is not None
    if claim.status not in ("reviewed", "in_public_notice"):
        raise InvalidState(claim.status, "approve")
    if claim.status == "in_public_notice" and notice_running(claim):
        raise DomainError(
            "public_notice_running",
            f"claim {claim_id} is on public notice until {claim.notice_ends_on}",
            notice_ends_on=str(claim.notice_ends_on),
        )
    if await repository.count_open_objections(session, claim.id):
        raise DomainError("objections_open", f"claim {claim_id} has undecided objections")
    # Maker-checker: the reviewer does not approve (also a CHECK on claims).
    if claim.reviewed_by == principal.id:
        raise DomainError("same_person", "the reviewer of a claim may not approve it")
    row = await _transition(
        session,
        principal,
        claim.id,
        claim.status,
        "approved",
        "approve",
        values={"approved_by": principal.id, "approved_at": clock.utcnow()},
    )
    source, amount = claim.funding_source, claim.amount_fen
    if not await ledger.place_hold(session, claim):
        await session.rollback()
        raise DomainError(
            "insufficient_funds",
            f"the special account's {source} fund cannot cover {amount} fen",
            funding_source=source,
        )
    await commit(session, settings.audit_key)
    return to_public(row)


async def _reject(
    session: AsyncSession, principal: Principal, claim: Claim, reason: str
) -> Row[Any]:
    assert claim.id is not None
    row = await _transition(
        session, principal, claim.id, claim.status, "rejected", "reject", reason, {"reason": reason}
    )
    if claim.status == "approved":
        await ledger.void_hold(session, claim.id)
    return row


async def reject_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str, settings: Settings
) -> ClaimPublic:
    """Government rejects a claim at any step before payment, with a reason."""
    require_role(principal, "government")
    claim = await load_claim(session, principal, claim_id)
    if claim.status not in BEFORE_PAYMENT:
        raise InvalidState(claim.status, "reject")
    row = await _reject(session, principal, claim, reason)
    await commit(session, settings.audit_key)
    return to_public(row)


async def countersign_claim(
    session: AsyncSession, principal: Principal, claim_id: int, settings: Settings
) -> ClaimPublic:
    """The first finance officer checks a large approved claim; another one then pays it."""
    require_role(principal, "finance")
    claim = await load_claim(session, principal, claim_id)
    assert claim.id is not None
    if claim.approved_by == principal.id:
        raise DomainError("same_person", "the approver of a claim may not countersign it")
    row = await repository.set_status(
        session,
        claim.id,
        "approved",
        "approved",
        {"countersigned_by": principal.id, "countersigned_at": clock.utcnow()},
        only_if_not_countersigned=True,
    )
    if row is None:
        current = await repository.status_of(session, claim.id)
        await session.rollback()
        raise InvalidState(current, "countersign")
    repository.add_event(session, claim.id, "approved", "approved", principal, "countersigned")
    await commit(session, settings.audit_key)
    return to_public(row)


async def pay(session: AsyncSession, principal: Principal, claim_id: int) -> Row[Any]:
    """Inside the caller's transaction: claim, hold, ledger pair and order move together, so
    a claim is paid at most once and the ledger always balances. Raises on refusal (after
    rolling back). Returns the claim's row as paid."""
    require_role(principal, "finance")
    claim = await load_claim(session, principal, claim_id)
    assert claim.id is not None
    # Maker-checker (also CHECKs on claims): the approver does not pay; above the threshold
    # a different finance officer has countersigned first.
    if claim.approved_by == principal.id:
        raise DomainError("same_person", "the approver of a claim may not pay it")
    if claim.status == "approved" and claim.needs_countersign:
        if claim.countersigned_by is None:
            raise DomainError(
                "countersign_required",
                f"claim {claim_id} is above the countersign threshold: another finance"
                " officer must countersign it first",
            )
        if claim.countersigned_by == principal.id:
            raise DomainError("same_person", "the countersigner of a claim may not pay it")
    paid = await repository.set_status(
        session, claim.id, "approved", "paid", {"paid_by": principal.id, "paid_at": clock.utcnow()}
    )
    if paid is None:
        current = await repository.status_of(session, claim.id)
        await session.rollback()
        if current == "paid":
            raise DomainError("already_paid", f"claim {claim_id} has already been paid")
        raise InvalidState(current, "pay")
    repository.add_event(session, claim.id, "approved", "paid", principal)
    source, amount = claim.funding_source, claim.amount_fen
    if not await ledger.post_payment(session, claim):
        await session.rollback()
        raise DomainError(
            "insufficient_funds",
            f"the special account's {source} fund cannot pay {amount} fen",
            funding_source=source,
        )
    if claim.kind == "training":
        order = await orders.get_order(session, claim.order_id, [])
        assert order is not None
        await move(session, order, principal, "claimed", "paid", "mark paid")
    return paid


async def pay_claim(
    session: AsyncSession, principal: Principal, claim_id: int, settings: Settings
) -> ClaimPublic:
    """Finance pays an approved claim from the special account, once."""
    row = await pay(session, principal, claim_id)
    await commit(session, settings.audit_key)
    return to_public(row)


async def claw_back_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str, settings: Settings
) -> ClaimPublic:
    """A paid claim found improper (e.g. its certificate revoked) is clawed back: reversing
    entries and a receivable from the payee, never an edit."""
    require_role(principal, "finance")
    claim = await load_claim(session, principal, claim_id)
    assert claim.id is not None
    row = await _transition(
        session, principal, claim.id, "paid", "clawed_back", "claw back", reason, {"reason": reason}
    )
    ledger.claw_back(session, claim)
    await commit(session, settings.audit_key)
    return to_public(row)
