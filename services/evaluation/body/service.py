"""Evaluation bodies: registration and the exit mechanism (§二.(三).12–13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today
from plumbing.errors import DomainError, Forbidden, InvalidState, NotFound
from plumbing.principal import Principal, require_role
from services.evaluation.body import repository as repo
from services.evaluation.body.models import EvaluationBody
from services.evaluation.body.schemas import BodyCreate, BodyPublic, ScopeItem
from services.evaluation.catalogue.service import entry_in_force
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
    await _check_scope(session, data.scope)
    body = repo.add(
        session,
        EvaluationBody(
            name=data.name,
            kind=data.kind,
            credit_code=data.credit_code,
            accredited_on=data.accredited_on or shanghai_today(),
            accredited_until=data.accredited_until,
        ),
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
    await repo.replace_scope(session, body.id, [(i.occupation_code, i.level) for i in data.scope])
    add_event(
        session, entity=ENTITY, entity_id=body.id, from_status=None, to_status="active", actor=actor
    )
    await session.commit()
    return body


async def to_public(session: AsyncSession, body: EvaluationBody) -> BodyPublic:
    assert body.id is not None
    scope = await repo.list_scope(session, body.id)
    public = BodyPublic.model_validate(body)
    public.scope = [ScopeItem(occupation_code=c, level=lv) for c, lv in scope]
    return public


async def set_scope(
    session: AsyncSession, actor: Principal, body_id: int, scope: list[ScopeItem]
) -> EvaluationBody:
    """Replace the trades and levels a body may evaluate (government or admin)."""
    require_role(actor, "government", "admin")
    await _check_scope(session, scope)
    current = await repo.get(session, body_id, lock=True)
    if current is None:
        raise NotFound("evaluation body", body_id)
    await repo.replace_scope(session, body_id, [(i.occupation_code, i.level) for i in scope])
    add_event(
        session,
        entity=ENTITY,
        entity_id=body_id,
        from_status=current.status,
        to_status=current.status,
        actor=actor,
        reason="scope: " + ", ".join(f"{i.occupation_code}/{i.level}" for i in scope),
    )
    await session.commit()
    return await get_body(session, body_id)


async def _check_scope(session: AsyncSession, scope: list[ScopeItem]) -> None:
    """A body is accredited only for trades the evaluation catalogue has in scope today."""
    today = shanghai_today()
    for item in scope:
        await entry_in_force(session, item.occupation_code, item.level, today)


async def acting_body(
    session: AsyncSession, body_id: int, occupation_code: str, level: int, on: dt.date
) -> EvaluationBody:
    """The evaluator's body, able to act now for this trade and level (§二.(三).13: evaluators
    act only within their body's accreditation). Holds a shared lock on the body's row so it
    cannot be suspended before the caller commits."""
    body = await repo.get_shared(session, body_id)
    if body is None:
        raise Forbidden(f"evaluation body {body_id} does not exist")
    if body.status != "active":
        raise DomainError(
            "evaluation_body_inactive",
            f"evaluation body {body_id} is {body.status}",
            current_status=body.status,
        )
    if on < body.accredited_on or (
        body.accredited_until is not None and on > body.accredited_until
    ):
        raise DomainError(
            "accreditation_lapsed",
            f"evaluation body {body_id} is accredited from {body.accredited_on}"
            + (f" to {body.accredited_until}" if body.accredited_until else "")
            + f", not on {on}",
        )
    if not await repo.in_scope(session, body_id, occupation_code, level):
        raise DomainError(
            "outside_body_scope",
            f"evaluation body {body_id} is not accredited for {occupation_code} level {level}",
            occupation_code=occupation_code,
            level=level,
        )
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
