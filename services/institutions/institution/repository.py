"""Queries on institutions, approvals and events (never commits)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, exists, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.institutions.institution.models import (
    Institution,
    InstitutionApproval,
    InstitutionEvent,
)
from services.institutions.supervision.models import Designation


async def get(session: AsyncSession, institution_id: int) -> Institution | None:
    return await session.get(Institution, institution_id, populate_existing=True)


async def get_status(session: AsyncSession, institution_id: int) -> str | None:
    status: str | None = await session.scalar(
        select(col(Institution.status)).where(col(Institution.id) == institution_id)
    )
    return status


async def count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(Institution))) or 0


async def list_page(
    session: AsyncSession,
    *,
    unit_code: str | None,
    status: str | None,
    kind: str | None,
    occupation_code: str | None,
    level: int | None,
    q: str | None,
    on_watch: bool | None,
    today: dt.date,
    limit: int,
    offset: int,
) -> tuple[Sequence[Institution], int]:
    query = select(Institution)
    if kind is not None:
        query = query.where(col(Institution.kind) == kind)
    if on_watch is not None:
        query = query.where(col(Institution.on_watch) == on_watch)
    if unit_code is not None:
        query = query.where(col(Institution.unit_code) == unit_code)
    if status is not None:
        query = query.where(col(Institution.status) == status)
    if q:
        query = query.where(col(Institution.name).contains(q, autoescape=True))
    if occupation_code is not None or level is not None:
        approved = select(col(InstitutionApproval.id)).where(
            col(InstitutionApproval.institution_id) == col(Institution.id),
            *approval_in_force(today),
        )
        if occupation_code is not None:
            approved = approved.where(col(InstitutionApproval.occupation_code) == occupation_code)
        if level is not None:
            approved = approved.where(col(InstitutionApproval.level) == level)
        query = query.where(exists(approved))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(col(Institution.id)).limit(limit).offset(offset))
    return rows.all(), total or 0


def approval_in_force(today: dt.date) -> list[Any]:
    return [
        col(InstitutionApproval.valid_from) <= today,
        (col(InstitutionApproval.valid_until).is_(None))
        | (col(InstitutionApproval.valid_until) >= today),
    ]


async def get_approval(
    session: AsyncSession, institution_id: int, occupation_code: str, level: int
) -> InstitutionApproval | None:
    rows = await session.scalars(
        select(InstitutionApproval).where(
            col(InstitutionApproval.institution_id) == institution_id,
            col(InstitutionApproval.occupation_code) == occupation_code,
            col(InstitutionApproval.level) == level,
        )
    )
    return rows.first()


async def designations_of(
    session: AsyncSession, institution_ids: Sequence[int]
) -> dict[int, list[Designation]]:
    grouped: dict[int, list[Designation]] = defaultdict(list)
    if not institution_ids:
        return grouped
    rows = await session.scalars(
        select(Designation)
        .where(col(Designation.institution_id).in_(institution_ids))
        .order_by(col(Designation.id))
    )
    for row in rows:
        grouped[row.institution_id].append(row)
    return grouped


async def approvals_of(
    session: AsyncSession, institution_ids: Sequence[int]
) -> dict[int, list[InstitutionApproval]]:
    """Approvals grouped by institution, in one query for a whole page."""
    grouped: dict[int, list[InstitutionApproval]] = defaultdict(list)
    if not institution_ids:
        return grouped
    rows = await session.scalars(
        select(InstitutionApproval)
        .where(col(InstitutionApproval.institution_id).in_(institution_ids))
        .order_by(col(InstitutionApproval.id))
    )
    for row in rows:
        grouped[row.institution_id].append(row)
    return grouped


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def set_status(
    session: AsyncSession,
    institution_id: int,
    *,
    expected: str,
    to: str,
    reason: str | None,
    until: dt.date | None,
    at: dt.datetime,
) -> bool:
    """Compare-and-set: moves the row only if its status is still `expected`."""
    result = await session.execute(
        update(Institution)
        .where(col(Institution.id) == institution_id, col(Institution.status) == expected)
        .values(status=to, status_reason=reason, suspended_until=until, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def add_event(session: AsyncSession, event: InstitutionEvent) -> None:
    session.add(event)


async def list_events(session: AsyncSession, institution_id: int) -> Sequence[InstitutionEvent]:
    rows = await session.scalars(
        select(InstitutionEvent)
        .where(col(InstitutionEvent.institution_id) == institution_id)
        .order_by(col(InstitutionEvent.id))
    )
    return rows.all()
