"""Queries on evaluation bodies (never commits, never decides)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from services.evaluation.body.models import BodyScope, EvaluationBody


async def get(session: AsyncSession, body_id: int, *, lock: bool = False) -> EvaluationBody | None:
    """The body as the database holds it now (refreshes a stale identity-map copy); `lock`
    holds its row until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    stmt = (
        select(EvaluationBody)
        .where(col(EvaluationBody.id) == body_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_shared(session: AsyncSession, body_id: int) -> EvaluationBody | None:
    """The body under a shared row lock (PostgreSQL): its status cannot change until this
    transaction ends. SQLite serialises writers with BEGIN IMMEDIATE instead."""
    stmt = (
        select(EvaluationBody)
        .where(col(EvaluationBody.id) == body_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def add(session: AsyncSession, body: EvaluationBody) -> EvaluationBody:
    session.add(body)
    return body


async def list_bodies(
    session: AsyncSession, *, status: str | None, kind: str | None, limit: int, offset: int
) -> tuple[Sequence[EvaluationBody], int]:
    stmt = select(EvaluationBody)
    if status is not None:
        stmt = stmt.where(col(EvaluationBody.status) == status)
    if kind is not None:
        stmt = stmt.where(col(EvaluationBody.kind) == kind)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(EvaluationBody.id)).limit(limit).offset(offset)
    return (await session.execute(page)).scalars().all(), total


async def set_status(
    session: AsyncSession,
    body_id: int,
    *,
    from_statuses: tuple[str, ...],
    to_status: str,
    reason: str | None,
) -> bool:
    """Conditional UPDATE: True when the body was in one of `from_statuses`."""
    stmt = (
        update(EvaluationBody)
        .where(col(EvaluationBody.id) == body_id, col(EvaluationBody.status).in_(from_statuses))
        .values(status=to_status, status_reason=reason, updated_at=utcnow())
        .returning(col(EvaluationBody.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def list_scope(session: AsyncSession, body_id: int) -> list[tuple[str, int]]:
    stmt = (
        select(col(BodyScope.occupation_code), col(BodyScope.level))
        .where(col(BodyScope.body_id) == body_id)
        .order_by(col(BodyScope.occupation_code), col(BodyScope.level))
    )
    return [(r[0], r[1]) for r in (await session.execute(stmt)).all()]


async def in_scope(session: AsyncSession, body_id: int, occupation_code: str, level: int) -> bool:
    stmt = select(col(BodyScope.id)).where(
        col(BodyScope.body_id) == body_id,
        col(BodyScope.occupation_code) == occupation_code,
        col(BodyScope.level) == level,
    )
    return (await session.execute(stmt)).first() is not None


async def replace_scope(session: AsyncSession, body_id: int, scope: list[tuple[str, int]]) -> None:
    await session.execute(delete(BodyScope).where(col(BodyScope.body_id) == body_id))
    for code, level in scope:
        session.add(BodyScope(body_id=body_id, occupation_code=code, level=level))
    await session.flush()
