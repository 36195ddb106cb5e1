"""Queries on offerings. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.enrolment.offerings.models import Offering
from services.enrolment.sql import table_of

OFFERINGS = table_of(Offering)


async def get_offering(
    session: AsyncSession, offering_id: int, scope: list[ColumnElement[bool]] | None = None
) -> Offering | None:
    stmt = select(Offering).where(col(Offering.id) == offering_id, *(scope or []))
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def read_offering(
    session: AsyncSession, offering_id: int, scope: list[ColumnElement[bool]]
) -> Row[Any] | None:
    """The offering's columns as a plain row, for an answer that changes nothing (no ORM
    instance to build and track)."""
    stmt = select(OFFERINGS).where(OFFERINGS.c.id == offering_id, *scope)
    return (await session.execute(stmt)).first()


async def list_offerings(
    session: AsyncSession,
    where: list[ColumnElement[bool]],
    limit: int,
    offset: int,
    prefer_unit: str | None = None,
) -> tuple[list[Offering], int]:
    """A page of offerings; with `prefer_unit`, that unit's offerings come first."""
    count = select(func.count()).select_from(Offering).where(*where)
    total = (await session.execute(count)).scalar()
    order = [col(Offering.id)]
    if prefer_unit is not None:
        order.insert(0, case((col(Offering.unit_code) == prefer_unit, 0), else_=1))  # type: ignore[arg-type]
    stmt = select(Offering).where(*where).order_by(*order).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total or 0)


async def another_listed(
    session: AsyncSession, offering_id: int, occupation_code: str, level: int
) -> int | None:
    """The newest other listed offering for this occupation and level, if any."""
    stmt = (
        select(col(Offering.id))
        .where(
            col(Offering.id) != offering_id,
            col(Offering.status) == "listed",
            col(Offering.occupation_code) == occupation_code,
            col(Offering.level) == level,
        )
        .order_by(col(Offering.id).desc())
        .limit(1)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    return int(found) if found is not None else None


async def add_offering(session: AsyncSession, offering: Offering) -> Offering:
    session.add(offering)
    await session.flush()
    return offering
