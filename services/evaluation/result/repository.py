"""Queries on results (never commits, never decides)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.evaluation.certificate.models import Certificate
from services.evaluation.result.models import Result


async def get_by_order(session: AsyncSession, order_id: int) -> tuple[Result, str | None] | None:
    """The order's result and its certificate number (None when it failed)."""
    rows, _ = await list_results(
        session, order_id=order_id, worker_id=None, body_id=None, limit=1, offset=0
    )
    return rows[0] if rows else None


async def get(session: AsyncSession, result_id: int) -> tuple[Result, str | None] | None:
    stmt = (
        select(Result, col(Certificate.number))
        .outerjoin(Certificate, col(Certificate.result_id) == col(Result.id))
        .where(col(Result.id) == result_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


def add(session: AsyncSession, result: Result) -> Result:
    session.add(result)
    return result


async def list_results(
    session: AsyncSession,
    *,
    order_id: int | None,
    worker_id: int | None,
    body_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[tuple[Result, str | None]], int]:
    stmt = select(Result, col(Certificate.number)).outerjoin(
        Certificate, col(Certificate.result_id) == col(Result.id)
    )
    if order_id is not None:
        stmt = stmt.where(col(Result.order_id) == order_id)
    if worker_id is not None:
        stmt = stmt.where(col(Result.worker_id) == worker_id)
    if body_id is not None:
        stmt = stmt.where(col(Result.body_id) == body_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(Result.id)).limit(limit).offset(offset)
    rows = (await session.execute(page)).all()
    return [(r[0], r[1]) for r in rows], total
