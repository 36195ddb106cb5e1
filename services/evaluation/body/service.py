"""Evaluation bodies: registration and the exit mechanism (§二.(三).12–13)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.errors import DomainError, InvalidState, NotFound
from plumbing.principal import Principal, require_role
from services.evaluation.body import repository as repo
from services.evaluation.body.models import EvaluationBody
from services.evaluation.body.schemas import BodyCreate
from services.evaluation.event.repository import add_event

ENTITY = "evaluation_body"

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
    "revoke": (("active", "suspended"), "revoked"),
}


async def create_body(session: AsyncSession, actor: Principal, data: BodyCreate) -> EvaluationBody:
    """Register an evaluation body; the government buys evaluation services from it."""
    require_role(actor, "government", "admin")
    body = repo.add(
        session, EvaluationBody(name=data.name, kind=data.kind, credit_code=data.credit_code)
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        # The UNIQUE credit code decides, not a prior look-up (no check-then-insert).
        await session.rollback()
        raise DomainError(
            "conflict", f"an evaluation body with credit code {data.credit_code} exists"
        ) from exc
    assert body.id is not None
    add_event(
        session, entity=ENTITY, entity_id=body.id, from_status=None, to_status="active", actor=actor
    )
    await session.commit()
    return body


async def list_bodies(
    session: AsyncSession, *, status: str | None, kind: str | None, limit: int, offset: int
) -> tuple[Sequence[EvaluationBody], int]:
    """Any principal may list bodies (the gateway needs them to bind evaluator accounts)."""
    return await repo.list_bodies(session, status=status, kind=kind, limit=limit, offset=offset)


async def get_body(session: AsyncSession, body_id: int) -> EvaluationBody:
    body = await repo.get(session, body_id)
    if body is None:
        raise NotFound("evaluation body", body_id)
    return body


async def change_status(
    session: AsyncSession, actor: Principal, body_id: int, action: str, reason: str | None
) -> EvaluationBody:
    """Suspend, reinstate or revoke a body: a suspended or revoked body records no results."""
    require_role(actor, "government", "admin")
    from_statuses, to_status = TRANSITIONS[action]
    current = await repo.get(session, body_id, lock=True)
    if current is None:
        raise NotFound("evaluation body", body_id)
    before = current.status
    if not await repo.set_status(
        session, body_id, from_statuses=from_statuses, to_status=to_status, reason=reason
    ):
        latest = await repo.get(session, body_id)
        raise InvalidState(latest.status if latest else before, f"{action} the evaluation body")
    add_event(
        session,
        entity=ENTITY,
        entity_id=body_id,
        from_status=before,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    await session.commit()
    return await get_body(session, body_id)
