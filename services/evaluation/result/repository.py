"""Queries on results (never commits, never decides; never updates a published result)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.evaluation.result.models import Result


async def first_and_latest(
    session: AsyncSession, *, order_id: int | None = None, candidate_id: int | None = None
) -> tuple[Result, Result] | None:
    """Revision 1 and the latest revision of a subject's result."""
    stmt = select(Result).execution_options(populate_existing=True)
    if order_id is not None:
        stmt = stmt.where(col(Result.order_id) == order_id)
    else:
        stmt = stmt.where(col(Result.candidate_id) == candidate_id)
    rows = (await session.execute(stmt.order_by(col(Result.revision)))).scalars().all()
    return (rows[0], rows[-1]) if rows else None


async def get(session: AsyncSession, result_id: int) -> Result | None:
    stmt = (
        select(Result).where(col(Result.id) == result_id).execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def add(session: AsyncSession, result: Result) -> Result:
    session.add(result)
    return result


async def list_results(
    session: AsyncSession,
    *,
    order_id: int | None,
    candidate_id: int | None = None,
    worker_id: int | None,
    body_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Result], int]:
    """Every revision, oldest first: the history shows what was published and corrected."""
    stmt = select(Result)
    if order_id is not None:
        stmt = stmt.where(col(Result.order_id) == order_id)
    if candidate_id is not None:
        stmt = stmt.where(col(Result.candidate_id) == candidate_id)
    if worker_id is not None:
        stmt = stmt.where(col(Result.worker_id) == worker_id)
    if body_id is not None:
        stmt = stmt.where(col(Result.body_id) == body_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(Result.id)).limit(limit).offset(offset)
    return (await session.execute(page)).scalars().all(), total
