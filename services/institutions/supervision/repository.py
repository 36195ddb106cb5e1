"""Queries on designations, class-start plans, inspections and ratings (never commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.institutions.institution.models import Institution
from services.institutions.supervision.models import ClassPlan, Inspection, InstitutionRating


async def get_plan(session: AsyncSession, offering_id: int) -> ClassPlan | None:
    rows = await session.scalars(
        select(ClassPlan)
        .where(col(ClassPlan.offering_id) == offering_id)
        .execution_options(populate_existing=True)
    )
    return rows.first()


async def refile_plan(session: AsyncSession, offering_id: int, values: dict[str, Any]) -> bool:
    """Replace a plan that is not approved yet; False if it is approved (or gone)."""
    result = await session.execute(
        update(ClassPlan)
        .where(col(ClassPlan.offering_id) == offering_id, col(ClassPlan.status) != "approved")
        .values(**values, status="submitted", decided_by=None, decided_at=None, reason=None)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def decide_plan(
    session: AsyncSession,
    offering_id: int,
    *,
    to: str,
    by: int,
    at: dt.datetime,
    reason: str | None,
) -> bool:
    """Compare-and-set: only a submitted plan is approved or returned."""
    result = await session.execute(
        update(ClassPlan)
        .where(col(ClassPlan.offering_id) == offering_id, col(ClassPlan.status) == "submitted")
        .values(status=to, decided_by=by, decided_at=at, reason=reason)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def list_plans(
    session: AsyncSession,
    *,
    status: str | None,
    institution_id: int | None,
    unit_code: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ClassPlan], int]:
    query = select(ClassPlan)
    if status is not None:
        query = query.where(col(ClassPlan.status) == status)
    if institution_id is not None:
        query = query.where(col(ClassPlan.institution_id) == institution_id)
    if unit_code is not None:
        query = query.where(col(ClassPlan.unit_code) == unit_code)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(col(ClassPlan.submitted_at)).limit(limit).offset(offset)
    )
    return rows.all(), total or 0


async def list_inspections(
    session: AsyncSession, institution_id: int | None, since: dt.date | None = None
) -> Sequence[Inspection]:
    query = select(Inspection)
    if institution_id is not None:
        query = query.where(col(Inspection.institution_id) == institution_id)
    if since is not None:
        query = query.where(col(Inspection.inspected_on) >= since)
    rows = await session.scalars(
        query.order_by(col(Inspection.inspected_on).desc(), col(Inspection.id).desc())
    )
    return rows.all()


async def all_institutions(session: AsyncSession) -> Sequence[Institution]:
    return (await session.scalars(select(Institution).order_by(col(Institution.id)))).all()


async def watched(session: AsyncSession, unit_code: str | None) -> Sequence[Institution]:
    query = select(Institution).where(col(Institution.on_watch).is_(True))
    if unit_code is not None:
        query = query.where(col(Institution.unit_code) == unit_code)
    return (
        await session.scalars(query.order_by(col(Institution.rating), col(Institution.id)))
    ).all()


async def latest_ratings(
    session: AsyncSession, institution_ids: Sequence[int]
) -> dict[int, InstitutionRating]:
    if not institution_ids:
        return {}
    rows = await session.scalars(
        select(InstitutionRating)
        .where(col(InstitutionRating.institution_id).in_(institution_ids))
        .order_by(col(InstitutionRating.id).desc())
    )
    latest: dict[int, InstitutionRating] = {}
    for row in rows:
        latest.setdefault(row.institution_id, row)
    return latest


async def ratings_of(session: AsyncSession, institution_id: int) -> Sequence[InstitutionRating]:
    rows = await session.scalars(
        select(InstitutionRating)
        .where(col(InstitutionRating.institution_id) == institution_id)
        .order_by(col(InstitutionRating.id).desc())
    )
    return rows.all()
