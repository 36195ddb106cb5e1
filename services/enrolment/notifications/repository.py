"""Queries on notifications. Never commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.enrolment.notifications.models import Notification
from services.enrolment.sql import rows_affected


def add(session: AsyncSession, notification: Notification) -> None:
    session.add(notification)


def add_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    session.add_all([Notification(**row) for row in rows])


async def list_for(
    session: AsyncSession, worker_id: int, unread_only: bool, limit: int, offset: int
) -> tuple[list[Notification], int, int]:
    """A page of the worker's notifications, newest first; the total and the unread count."""
    mine = [col(Notification.worker_id) == worker_id]
    unread = [*mine, col(Notification.read_at).is_(None)]
    where = unread if unread_only else mine
    total = (await session.execute(select(func.count()).where(*where))).scalar() or 0
    unread_count = (await session.execute(select(func.count()).where(*unread))).scalar() or 0
    stmt = (
        select(Notification)
        .where(*where)
        .order_by(col(Notification.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(stmt)).scalars()), int(total), int(unread_count)


async def mark_read(
    session: AsyncSession, worker_id: int, notification_id: int | None, at: dt.datetime
) -> int:
    """Mark one (or, with None, every) unread notification of the worker read."""
    stmt = update(Notification).where(
        col(Notification.worker_id) == worker_id, col(Notification.read_at).is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(col(Notification.id) == notification_id)
    return await rows_affected(
        session, stmt.values(read_at=at).execution_options(synchronize_session=False)
    )


async def get(session: AsyncSession, worker_id: int, notification_id: int) -> Notification | None:
    stmt = select(Notification).where(
        col(Notification.id) == notification_id, col(Notification.worker_id) == worker_id
    )
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()
