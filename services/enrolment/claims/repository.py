"""Queries on claims and their events. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.principal import Principal
from services.enrolment.claims.models import Claim, ClaimEvent
from services.enrolment.sql import rows_affected


async def get_claim(
    session: AsyncSession, claim_id: int, scope: list[ColumnElement[bool]]
) -> Claim | None:
    stmt = select(Claim).where(col(Claim.id) == claim_id, *scope)
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_claims(
    session: AsyncSession, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[Claim], int]:
    total = (await session.execute(select(func.count()).select_from(Claim).where(*where))).scalar()
    stmt = select(Claim).where(*where).order_by(col(Claim.id).desc()).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total or 0)


async def set_status(
    session: AsyncSession,
    claim_id: int,
    from_status: str,
    to_status: str,
    values: dict[str, Any] | None = None,
) -> int:
    """The conditional transition: touches the row only if it is still in `from_status`."""
    stmt = (
        update(Claim)
        .where(col(Claim.id) == claim_id, col(Claim.status) == from_status)
        .values(status=to_status, updated_at=utcnow(), **(values or {}))
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def status_of(session: AsyncSession, claim_id: int) -> str:
    stmt = select(col(Claim.status)).where(col(Claim.id) == claim_id)
    return str((await session.execute(stmt)).scalar_one())


def add_event(
    session: AsyncSession,
    claim_id: int,
    from_status: str | None,
    to_status: str,
    actor: Principal,
    reason: str | None = None,
) -> None:
    session.add(
        ClaimEvent(
            claim_id=claim_id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.id,
            actor_role=actor.role,
            reason=reason,
            at=utcnow(),
        )
    )
