"""Queries on sessions and candidates (never commits, never decides)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.evaluation.session.models import Candidate, EvaluationSession


async def get(session: AsyncSession, session_id: int) -> EvaluationSession | None:
    stmt = (
        select(EvaluationSession)
        .where(col(EvaluationSession.id) == session_id)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def add(session: AsyncSession, row: EvaluationSession | Candidate) -> None:
    session.add(row)


async def take_seat(session: AsyncSession, session_id: int) -> bool:
    """Conditional UPDATE: one more candidate only while scheduled and not full."""
    stmt = (
        update(EvaluationSession)
        .where(
            col(EvaluationSession.id) == session_id,
            col(EvaluationSession.status) == "scheduled",
            col(EvaluationSession.registered) < col(EvaluationSession.capacity),
        )
        .values(registered=col(EvaluationSession.registered) + 1)
        .returning(col(EvaluationSession.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def list_sessions(
    session: AsyncSession,
    *,
    body_id: int | None,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[EvaluationSession], int]:
    stmt = select(EvaluationSession)
    if body_id is not None:
        stmt = stmt.where(col(EvaluationSession.body_id) == body_id)
    if occupation_code is not None:
        stmt = stmt.where(col(EvaluationSession.occupation_code) == occupation_code)
    if level is not None:
        stmt = stmt.where(col(EvaluationSession.level) == level)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(EvaluationSession.held_on), col(EvaluationSession.id))
    rows = (await session.execute(page.limit(limit).offset(offset))).scalars().all()
    return rows, total


async def list_candidates(
    session: AsyncSession, session_id: int, *, limit: int, offset: int
) -> tuple[Sequence[Candidate], int]:
    stmt = select(Candidate).where(col(Candidate.session_id) == session_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(Candidate.id)).limit(limit).offset(offset)
    return (await session.execute(page)).scalars().all(), total


async def get_candidate(session: AsyncSession, candidate_id: int) -> Candidate | None:
    return await session.get(Candidate, candidate_id)


async def candidate_of_order(
    session: AsyncSession, order_id: int
) -> tuple[Candidate, EvaluationSession] | None:
    stmt = (
        select(Candidate, EvaluationSession)
        .join(EvaluationSession, col(EvaluationSession.id) == col(Candidate.session_id))
        .where(col(Candidate.order_id) == order_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None
