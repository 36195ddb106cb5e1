"""Queries on learning records (for the anomaly checks) and on flags. Never commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.enrolment.learning.models import LearningFlag
from services.enrolment.orders.models import AttendanceRecord
from services.enrolment.orders.rules import WORKER_CHANNELS
from services.enrolment.sql import rows_affected, upsert

R = AttendanceRecord


async def overlapping(
    session: AsyncSession,
    record: AttendanceRecord,
    channels: tuple[str, ...],
    exclude_channel: str | None = None,
) -> list[AttendanceRecord]:
    """The worker's other timed records on these channels that overlap `record` in time."""
    assert record.started_at is not None
    assert record.ended_at is not None
    stmt = select(R).where(
        col(R.worker_id) == record.worker_id,
        col(R.id) != record.id,
        col(R.channel).in_(channels),
        col(R.started_at) < record.ended_at,
        col(R.ended_at) > record.started_at,
    )
    if exclude_channel is not None:
        stmt = stmt.where(col(R.channel) != exclude_channel)
    return list((await session.execute(stmt.order_by(col(R.id)))).scalars())


async def hours_on(session: AsyncSession, worker_id: int, on: dt.date) -> float:
    """Every hour the worker learnt that day, in class and online, across all orders."""
    stmt = select(func.coalesce(func.sum(col(R.hours)), 0.0)).where(
        col(R.worker_id) == worker_id, col(R.attended_on) == on
    )
    return float((await session.execute(stmt)).scalar_one())


async def lock_device(session: AsyncSession, device_id: str) -> None:
    """Serialise records from one device across workers (a transaction-scoped advisory lock
    on PostgreSQL; SQLite has one writer), so the shared-device count is never stale."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"device:{device_id}"}
        )


async def device_workers(session: AsyncSession, device_id: str) -> int:
    stmt = select(func.count(func.distinct(col(R.worker_id)))).where(
        col(R.device_id) == device_id, col(R.channel).in_(WORKER_CHANNELS)
    )
    return int((await session.execute(stmt)).scalar_one())


async def device_orders(session: AsyncSession, device_id: str) -> list[int]:
    stmt = select(func.distinct(col(R.order_id))).where(col(R.device_id) == device_id)
    return sorted(int(i) for i in (await session.execute(stmt)).scalars())


async def raise_flag(
    session: AsyncSession,
    *,
    order_id: int,
    worker_id: int,
    unit_code: str,
    kind: str,
    detail: str,
    record_id: int | None,
    at: dt.datetime,
) -> bool:
    """Open a flag unless one of this kind is already open on the order (partial unique
    index; concurrent records cannot open two)."""
    stmt = (
        upsert(session, LearningFlag)
        .values(
            order_id=order_id,
            worker_id=worker_id,
            unit_code=unit_code,
            kind=kind,
            detail=detail[:500],
            record_id=record_id,
            status="open",
            created_at=at,
        )
        .on_conflict_do_nothing(
            index_elements=["order_id", "kind"], index_where=text("status = 'open'")
        )
    )
    return await rows_affected(session, stmt) == 1


async def open_flags(session: AsyncSession, order_id: int) -> list[LearningFlag]:
    stmt = select(LearningFlag).where(
        col(LearningFlag.order_id) == order_id, col(LearningFlag.status) == "open"
    )
    return list((await session.execute(stmt.order_by(col(LearningFlag.id)))).scalars())


async def get_flag(
    session: AsyncSession, flag_id: int, scope: list[ColumnElement[bool]]
) -> LearningFlag | None:
    stmt = select(LearningFlag).where(col(LearningFlag.id) == flag_id, *scope)
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_flags(
    session: AsyncSession, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[LearningFlag], int]:
    total = (
        await session.execute(select(func.count()).select_from(LearningFlag).where(*where))
    ).scalar()
    stmt = (
        select(LearningFlag)
        .where(*where)
        .order_by(col(LearningFlag.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(stmt)).scalars()), int(total or 0)


async def resolve(
    session: AsyncSession,
    flag_id: int,
    status: str,
    by: int,
    reason: str,
    at: dt.datetime,
) -> int:
    stmt = (
        update(LearningFlag)
        .where(col(LearningFlag.id) == flag_id, col(LearningFlag.status) == "open")
        .values(status=status, resolved_by=by, resolution_reason=reason, resolved_at=at)
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)
