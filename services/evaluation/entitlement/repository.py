"""Queries on entitlements (never commits, never decides)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.evaluation.entitlement.models import Entitlement


def add(session: AsyncSession, row: Entitlement) -> None:
    session.add(row)


async def cancel_open(
    session: AsyncSession, *, order_id: int | None, candidate_id: int | None, reason: str
) -> int | None:
    """Conditional UPDATE open → cancelled for the subject; the id cancelled, if any."""
    stmt = update(Entitlement).where(col(Entitlement.status) == "open")
    if order_id is not None:
        stmt = stmt.where(col(Entitlement.order_id) == order_id)
    else:
        stmt = stmt.where(col(Entitlement.candidate_id) == candidate_id)
    stmt = stmt.values(status="cancelled", cancelled_reason=reason).returning(col(Entitlement.id))
    return (await session.execute(stmt)).scalars().first()


async def list_entitlements(
    session: AsyncSession,
    *,
    order_id: int | None,
    worker_id: int | None,
    body_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Entitlement], int]:
    stmt = select(Entitlement)
    for column, value in (
        (Entitlement.order_id, order_id),
        (Entitlement.worker_id, worker_id),
        (Entitlement.body_id, body_id),
        (Entitlement.status, status),
    ):
        if value is not None:
            stmt = stmt.where(col(column) == value)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(Entitlement.id)).limit(limit).offset(offset)
    return (await session.execute(page)).scalars().all(), total
