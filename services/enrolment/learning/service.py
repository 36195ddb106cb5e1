"""Government reviews anomaly flags: each open flag blocks the order's claim until it is
cleared or confirmed, with a reason."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.errors import InvalidState, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.enrolment.learning import repository
from services.enrolment.learning.models import LearningFlag
from services.enrolment.learning.schemas import FlagPublic, FlagResolution
from services.enrolment.sql import scope_filter


def to_public(flag: LearningFlag) -> FlagPublic:
    return FlagPublic.model_validate(flag, from_attributes=True)


def flag_scope(principal: Principal) -> list[ColumnElement[bool]]:
    """Officers see their unit's flags; institutions their own orders' (read only)."""
    return scope_filter(
        principal,
        worker=col(LearningFlag.worker_id),
        unit=col(LearningFlag.unit_code),
        everyone=("admin", "finance"),
    )


async def list_flags(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    order_id: int | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> Page[FlagPublic]:
    """Flags in the caller's scope, newest first."""
    require_role(principal, "government", "admin", "finance", "worker")
    where = flag_scope(principal)
    wanted = {
        LearningFlag.status: status,
        LearningFlag.order_id: order_id,
        LearningFlag.kind: kind,
    }
    where += [col(c) == v for c, v in wanted.items() if v is not None]
    items, total = await repository.list_flags(session, where, limit, offset)
    return Page(items=[to_public(f) for f in items], total=total, limit=limit, offset=offset)


async def resolve_flag(
    session: AsyncSession, principal: Principal, flag_id: int, body: FlagResolution
) -> FlagPublic:
    """`open → cleared` or `open → confirmed`, with the officer and the reason recorded."""
    require_role(principal, "government", "admin")
    flag = await repository.get_flag(session, flag_id, flag_scope(principal))
    if flag is None:
        raise NotFound("flag", flag_id)
    if not await repository.resolve(
        session, flag_id, body.resolution, principal.id, body.reason, utcnow()
    ):
        now = await repository.get_flag(session, flag_id, [])
        current = now.status if now is not None else flag.status
        await session.rollback()  # expires every loaded row: read what is needed first
        raise InvalidState(current, f"mark the flag {body.resolution}")
    await session.commit()
    updated = await repository.get_flag(session, flag_id, [])
    assert updated is not None
    return to_public(updated)
