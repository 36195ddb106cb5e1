"""Evaluation subsidy (PLAN §二.(二).11: a skill-evaluation subsidy per the programme's
standard): a passed evaluation earns the amount of the catalogue in force on its date."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.errors import Forbidden
from plumbing.principal import Principal, require_role
from services.evaluation.catalogue.models import CatalogueEntry
from services.evaluation.entitlement import repository as repo
from services.evaluation.entitlement.models import Entitlement
from services.evaluation.event.repository import add_event
from services.evaluation.result.models import Result

READERS = ("government", "finance", "admin", "worker", "institution")


async def grant(
    session: AsyncSession, actor: Principal, result: Result, entry: CatalogueEntry
) -> Entitlement:
    """Inside the caller's transaction: the partial unique index keeps one open per order."""
    assert result.id is not None
    row = Entitlement(
        result_id=result.id,
        order_id=result.order_id,
        candidate_id=result.candidate_id,
        worker_id=result.worker_id,
        body_id=result.body_id,
        occupation_code=result.occupation_code,
        level=result.level,
        evaluated_on=result.evaluated_on,
        catalogue_version_id=entry.version_id,
        amount_fen=entry.subsidy_fen,
    )
    repo.add(session, row)
    await session.flush()
    assert row.id is not None
    add_event(
        session,
        entity="entitlement",
        entity_id=row.id,
        from_status=None,
        to_status="open",
        actor=actor,
    )
    return row


async def cancel(
    session: AsyncSession,
    actor: Principal,
    *,
    order_id: int | None,
    candidate_id: int | None,
    reason: str,
) -> None:
    """A pass corrected into a fail, or a revoked certificate, earns nothing: the subject's
    open entitlement is cancelled (inside the caller's transaction)."""
    if order_id is None and candidate_id is None:
        return  # a certificate from before entitlements existed has none
    cancelled = await repo.cancel_open(
        session, order_id=order_id, candidate_id=candidate_id, reason=reason
    )
    if cancelled is not None:
        add_event(
            session,
            entity="entitlement",
            entity_id=cancelled,
            from_status="open",
            to_status="cancelled",
            actor=actor,
            reason=reason,
        )


async def list_entitlements(
    session: AsyncSession,
    actor: Principal,
    *,
    order_id: int | None,
    worker_id: int | None,
    body_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Entitlement], int]:
    """Government and finance see all (the payment process claims from here); a worker its own;
    an institution one order's, which the gateway has read in the institution's scope."""
    require_role(actor, *READERS)
    if actor.role == "institution" and order_id is None:
        raise Forbidden("an institution reads the entitlements of one of its orders at a time")
    if actor.role == "worker":
        if worker_id not in (None, actor.id):
            return [], 0
        worker_id = actor.id
    return await repo.list_entitlements(
        session,
        order_id=order_id,
        worker_id=worker_id,
        body_id=body_id,
        status=status,
        limit=limit,
        offset=offset,
    )
