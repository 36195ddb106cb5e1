"""Queries on catalogue versions, catalogue items and units (never commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, case, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.institutions.catalogue.models import CatalogueItem, CatalogueVersion, Unit


def in_version(number: int) -> ColumnElement[bool]:
    """Rows that belong to version `number`: started at or before it, not ended by it."""
    return (col(CatalogueItem.since_version) <= number) & or_(
        col(CatalogueItem.until_version).is_(None), col(CatalogueItem.until_version) > number
    )


async def version_in_force(session: AsyncSession, on: dt.date) -> CatalogueVersion | None:
    """The version in force on a day: the last one effective on or before it."""
    rows = await session.scalars(
        select(CatalogueVersion)
        .where(col(CatalogueVersion.effective_on) <= on)
        .order_by(col(CatalogueVersion.effective_on).desc(), col(CatalogueVersion.number).desc())
        .limit(1)
    )
    return rows.first()


async def get_version(session: AsyncSession, number: int) -> CatalogueVersion | None:
    return await session.get(CatalogueVersion, number)


async def latest_version(session: AsyncSession) -> CatalogueVersion | None:
    rows = await session.scalars(
        select(CatalogueVersion).order_by(col(CatalogueVersion.number).desc()).limit(1)
    )
    return rows.first()


async def list_versions(
    session: AsyncSession, limit: int, offset: int
) -> tuple[Sequence[CatalogueVersion], int]:
    total = await session.scalar(select(func.count()).select_from(CatalogueVersion))
    rows = await session.scalars(
        select(CatalogueVersion)
        .order_by(col(CatalogueVersion.number).desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), total or 0


async def list_items(
    session: AsyncSession,
    *,
    version: int,
    catalogue: str | None,
    occupation_code: str | None,
    level: int | None,
    limit: int | None,
    offset: int,
) -> tuple[Sequence[CatalogueItem], int]:
    query = select(CatalogueItem).where(in_version(version))
    if catalogue is not None:
        query = query.where(col(CatalogueItem.catalogue) == catalogue)
    if occupation_code is not None:
        query = query.where(col(CatalogueItem.occupation_code) == occupation_code)
    if level is not None:
        query = query.where(col(CatalogueItem.level) == level)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(
        col(CatalogueItem.catalogue).desc(),  # key_industry before general
        col(CatalogueItem.occupation_code),
        col(CatalogueItem.level).desc(),
    )
    if limit is not None:
        ordered = ordered.limit(limit).offset(offset)
    rows = await session.scalars(ordered)
    return rows.all(), total or 0


async def get_applicable(
    session: AsyncSession, occupation_code: str, level: int, version: int
) -> CatalogueItem | None:
    """The key-industry item if there is one, else the general one."""
    key_first = case((col(CatalogueItem.catalogue) == "key_industry", 0), else_=1)
    row = await session.scalars(
        select(CatalogueItem)
        .where(
            col(CatalogueItem.occupation_code) == occupation_code,
            col(CatalogueItem.level) == level,
            in_version(version),
        )
        .order_by(key_first)
        .limit(1)
    )
    return row.first()


async def current_items(session: AsyncSession) -> Sequence[CatalogueItem]:
    """The rows of the latest version (none of them ended yet)."""
    rows = await session.scalars(
        select(CatalogueItem).where(col(CatalogueItem.until_version).is_(None))
    )
    return rows.all()


async def end_items(session: AsyncSession, ids: Sequence[int], version: int) -> int:
    """End these current rows at `version`; returns how many were still current."""
    if not ids:
        return 0
    result = await session.execute(
        update(CatalogueItem)
        .where(col(CatalogueItem.id).in_(ids), col(CatalogueItem.until_version).is_(None))
        .values(until_version=version)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def list_units(session: AsyncSession) -> Sequence[Unit]:
    return (await session.scalars(select(Unit).order_by(col(Unit.code)))).all()


async def count_versions(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(CatalogueVersion))) or 0


async def insert_missing(
    session: AsyncSession, model: type[Any], rows: list[dict[str, Any]], keys: list[str]
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING: safe when two processes seed at once."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
