"""Queries on catalogue items and units (never commits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.institutions.catalogue.models import CatalogueItem, Unit


async def list_items(
    session: AsyncSession,
    *,
    catalogue: str | None,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CatalogueItem], int]:
    query = select(CatalogueItem)
    if catalogue is not None:
        query = query.where(col(CatalogueItem.catalogue) == catalogue)
    if occupation_code is not None:
        query = query.where(col(CatalogueItem.occupation_code) == occupation_code)
    if level is not None:
        query = query.where(col(CatalogueItem.level) == level)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(col(CatalogueItem.id)).limit(limit).offset(offset))
    return rows.all(), total or 0


async def get_applicable(
    session: AsyncSession, occupation_code: str, level: int
) -> CatalogueItem | None:
    """The key-industry item if there is one, else the general one."""
    key_first = case((col(CatalogueItem.catalogue) == "key_industry", 0), else_=1)
    row = await session.scalars(
        select(CatalogueItem)
        .where(
            col(CatalogueItem.occupation_code) == occupation_code,
            col(CatalogueItem.level) == level,
        )
        .order_by(key_first)
        .limit(1)
    )
    return row.first()


async def list_units(session: AsyncSession) -> Sequence[Unit]:
    return (await session.scalars(select(Unit).order_by(col(Unit.code)))).all()


async def count_items(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(CatalogueItem))) or 0


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
