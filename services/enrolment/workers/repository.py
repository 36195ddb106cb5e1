"""Queries on worker profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.enrolment.sql import built, upsert
from services.enrolment.workers.models import WorkerProfile


def _profile_stmt(_dialect: str) -> Any:
    stmt = select(WorkerProfile).where(col(WorkerProfile.worker_id) == bindparam("worker_id"))
    return stmt.execution_options(populate_existing=True)


async def get_profile(session: AsyncSession, worker_id: int) -> WorkerProfile | None:
    """The profile as stored (a statement built once: no per-call construction)."""
    stmt = built(session, "get_profile", _profile_stmt)
    profile: WorkerProfile | None = (
        await session.execute(stmt, {"worker_id": worker_id})
    ).scalar_one_or_none()
    return profile


async def save_profile(session: AsyncSession, worker_id: int, values: dict[str, Any]) -> None:
    """Insert or update the worker's profile in one statement (concurrent PUTs cannot race)."""
    changes = {k: v for k, v in values.items() if k != "created_at"}
    stmt = (
        upsert(session, WorkerProfile)
        .values(worker_id=worker_id, **values)
        .on_conflict_do_update(index_elements=["worker_id"], set_=changes)
    )
    await session.execute(stmt)


async def lock_profile(session: AsyncSession, worker_id: int) -> None:
    """Serialise one worker's learning records (PostgreSQL row lock; SQLite has one writer),
    so each anomaly check sees every earlier record of that worker."""
    stmt = select(WorkerProfile).where(col(WorkerProfile.worker_id) == worker_id).with_for_update()
    await session.execute(stmt)


async def profiles_without_phone_hash(
    session: AsyncSession, after_worker_id: int, limit: int
) -> list[tuple[int, str]]:
    """(worker_id, phone_cipher) of profiles saved before the phone hash existed."""
    stmt = (
        select(col(WorkerProfile.worker_id), col(WorkerProfile.phone_cipher))
        .where(col(WorkerProfile.phone_hash).is_(None))
        .where(col(WorkerProfile.worker_id) > after_worker_id)
        .order_by(col(WorkerProfile.worker_id))
        .limit(limit)
    )
    return [(int(w), str(c)) for w, c in (await session.execute(stmt)).all()]


async def fill_phone_hash(session: AsyncSession, worker_id: int, digest: str) -> None:
    """Set the hash only while still missing: a profile saved meanwhile keeps its own."""
    await session.execute(
        update(WorkerProfile)
        .where(col(WorkerProfile.worker_id) == worker_id, col(WorkerProfile.phone_hash).is_(None))
        .values(phone_hash=digest)
    )
