"""Queries on the evaluation catalogue (never commits, never decides)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.evaluation.catalogue.models import CatalogueEntry, CatalogueVersion


async def version_in_force(session: AsyncSession, on: dt.date) -> CatalogueVersion | None:
    """The version with the latest effective date not after `on`."""
    stmt = (
        select(CatalogueVersion)
        .where(col(CatalogueVersion.effective_on) <= on)
        .order_by(col(CatalogueVersion.effective_on).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_version(session: AsyncSession, version_id: int) -> CatalogueVersion | None:
    return await session.get(CatalogueVersion, version_id)


async def get_entry(
    session: AsyncSession, version_id: int, occupation_code: str, level: int
) -> CatalogueEntry | None:
    stmt = select(CatalogueEntry).where(
        col(CatalogueEntry.version_id) == version_id,
        col(CatalogueEntry.occupation_code) == occupation_code,
        col(CatalogueEntry.level) == level,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_entries(
    session: AsyncSession,
    version_id: int,
    *,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CatalogueEntry], int]:
    stmt = select(CatalogueEntry).where(col(CatalogueEntry.version_id) == version_id)
    if occupation_code is not None:
        stmt = stmt.where(col(CatalogueEntry.occupation_code) == occupation_code)
    if level is not None:
        stmt = stmt.where(col(CatalogueEntry.level) == level)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(CatalogueEntry.id)).limit(limit).offset(offset)
    return (await session.execute(page)).scalars().all(), total


async def list_versions(session: AsyncSession) -> Sequence[tuple[CatalogueVersion, int]]:
    counts = (
        select(col(CatalogueEntry.version_id), func.count().label("n"))
        .group_by(col(CatalogueEntry.version_id))
        .subquery()
    )
    stmt = (
        select(CatalogueVersion, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.version_id == col(CatalogueVersion.id))
        .order_by(col(CatalogueVersion.effective_on))
    )
    return [(r[0], int(r[1])) for r in (await session.execute(stmt)).all()]


def add(session: AsyncSession, row: CatalogueVersion | CatalogueEntry) -> None:
    session.add(row)
