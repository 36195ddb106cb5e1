"""Order 5 (政府买单): filing and reading claims. The lifecycle after filing is in
lifecycle.py; batch payment in batch.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing import clock
from plumbing.errors import DomainError, Forbidden, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal
from services.enrolment.claims import repository
from services.enrolment.claims.models import Claim
from services.enrolment.claims.preconditions import check_claim_preconditions
from services.enrolment.claims.schemas import ClaimCreate, ClaimPublic, ObjectionPublic
from services.enrolment.config import Settings
from services.enrolment.ledger.books import commit
from services.enrolment.orders.models import Order
from services.enrolment.orders.service import load_order, move
from services.enrolment.sql import by_id_in_scope, scope_filter


def to_public(claim: Claim | Row[Any]) -> ClaimPublic:
    """The answer, from the ORM row or from an UPDATE ... RETURNING row (same columns)."""
    return ClaimPublic.model_validate(claim, from_attributes=True)


_SCOPE: dict[str, Any] = {
    "worker": col(Claim.worker_id),
    "institution": col(Claim.institution_id),
    "unit": col(Claim.unit_code),
}


def claim_scope(principal: Principal) -> list[ColumnElement[bool]]:
    return scope_filter(principal, **_SCOPE)


async def load_claim(
    session: AsyncSession, principal: Principal, claim_id: int, *, scoped: bool = True
) -> Claim:
    stmt, params = by_id_in_scope(
        session,
        "load_claim",
        Claim,
        col(Claim.id),
        principal if scoped else None,
        claim_id,
        populate_existing=True,
        **_SCOPE,
    )
    claim: Claim | None = (await session.execute(stmt, params)).scalar_one_or_none()
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


def _may_file(principal: Principal, order: Order, kind: str) -> None:
    if principal.role == "institution" and principal.institution_id == order.institution_id:
        return
    # The living-cost subsidy is the worker's own: they may file it themselves.
    if kind == "living_cost" and principal.role == "worker" and principal.id == order.worker_id:
        return
    raise Forbidden("only staff of the order's institution may claim this subsidy")


async def _amount(
    session: AsyncSession, order: Order, body: ClaimCreate, settings: Settings
) -> tuple[int, str, int]:
    """(amount_fen, payee_kind, payee_id) of a claim of this kind on this order."""
    assert order.id is not None
    if body.kind != "evaluation" and body.amount_fen is not None:
        raise DomainError("validation_failed", "amount_fen is given only for evaluation claims")
    if body.kind == "training":
        # PLAN §二.(二).11: per the standard fixed at listing; paid to the institution, or to
        # the worker where the programme pays individuals.
        if order.funding_source in settings.worker_paid_sources:
            return order.subsidy_fen, "worker", order.worker_id
        return order.subsidy_fen, "institution", order.institution_id
    if body.kind == "evaluation":
        if body.amount_fen is None:
            raise DomainError(
                "not_entitled", "no evaluation-subsidy entitlement was given for this order"
            )
        return body.amount_fen, "institution", order.institution_id
    days = await repository.attended_days(session, order.id)
    return days * settings.living_cost_daily_fen, "worker", order.worker_id


async def submit_claim(
    session: AsyncSession,
    principal: Principal,
    order_id: int,
    body: ClaimCreate,
    settings: Settings,
) -> ClaimPublic:
    """File a claim of one kind on an order; the training claim moves it certified → claimed."""
    order = await load_order(session, principal, order_id)
    _may_file(principal, order, body.kind)
    now = clock.utcnow()
    await check_claim_preconditions(session, order, body.kind, settings, now)
    amount, payee_kind, payee_id = await _amount(session, order, body, settings)
    if body.kind == "training":
        # The delivery confirmation is re-checked in the same UPDATE as the status change.
        await move(
            session,
            order,
            principal,
            "certified",
            "claimed",
            "claim the subsidy",
            only_if=(col(Order.delivery) == "confirmed",),
        )
    assert order.id is not None
    claim = Claim(
        order_id=order.id,
        kind=body.kind,
        institution_id=order.institution_id,
        worker_id=order.worker_id,
        unit_code=order.unit_code,
        payee_kind=payee_kind,
        payee_id=payee_id,
        amount_fen=amount,
        funding_source=order.funding_source,
        subsidy_year=order.subsidy_year if body.kind == "living_cost" else None,
        status="submitted",
        submitted_by=principal.id,
        # Issue 6, item 3: above the threshold two finance officers take part in payment.
        needs_countersign=amount > settings.countersign_above_fen,
        created_at=now,
        updated_at=now,
    )
    session.add(claim)
    try:
        await session.flush()
    except IntegrityError:
        # UNIQUE (order_id, kind), and one living-cost subsidy per worker and year.
        await session.rollback()
        raise DomainError(
            "already_claimed", f"a {body.kind} subsidy was already claimed for order {order_id}"
        ) from None
    assert claim.id is not None
    repository.add_event(session, claim.id, None, "submitted", principal)
    await commit(session, settings.audit_key)
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
    return to_public(await load_claim(session, principal, claim_id))


async def list_objections(
    session: AsyncSession, principal: Principal, claim_id: int
) -> list[ObjectionPublic]:
    """The objections filed against a claim."""
    await load_claim(session, principal, claim_id)
    return [
        ObjectionPublic.model_validate(o, from_attributes=True)
        for o in await repository.list_objections(session, claim_id)
    ]
