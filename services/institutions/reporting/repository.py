"""Queries on quotas and monthly reports (never commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.institutions.catalogue.models import Unit
from services.institutions.institution.models import Institution
from services.institutions.reporting.models import MonthlyReport, UnitQuota


async def list_units(session: AsyncSession) -> Sequence[Unit]:
    return (await session.scalars(select(Unit).order_by(col(Unit.code)))).all()


async def quotas_of_year(session: AsyncSession, year: int) -> dict[str, int]:
    rows = await session.execute(
        select(col(UnitQuota.unit_code), col(UnitQuota.quota)).where(col(UnitQuota.year) == year)
    )
    return {code: quota for code, quota in rows}


async def get_quota(session: AsyncSession, unit_code: str, year: int) -> UnitQuota | None:
    return await session.get(UnitQuota, (unit_code, year), populate_existing=True)


async def get_report(session: AsyncSession, report_id: int) -> MonthlyReport | None:
    return await session.get(MonthlyReport, report_id, populate_existing=True)


async def list_reports(
    session: AsyncSession, month: str | None, unit_code: str | None, status: str | None
) -> Sequence[MonthlyReport]:
    query = select(MonthlyReport)
    if month is not None:
        query = query.where(col(MonthlyReport.month) == month)
    if unit_code is not None:
        query = query.where(col(MonthlyReport.unit_code) == unit_code)
    if status is not None:
        query = query.where(col(MonthlyReport.status) == status)
    order = (col(MonthlyReport.month), col(MonthlyReport.unit_code), col(MonthlyReport.revision))
    return (await session.scalars(query.order_by(*order))).all()


async def next_revision(session: AsyncSession, unit_code: str, month: str) -> int:
    latest = await session.scalar(
        select(func.max(MonthlyReport.revision)).where(
            col(MonthlyReport.unit_code) == unit_code, col(MonthlyReport.month) == month
        )
    )
    return int(latest or 0) + 1


async def update_draft(session: AsyncSession, report_id: int, **values: Any) -> bool:
    """Change a report that is still a draft; False if it is locked (or gone)."""
    result = await session.execute(
        update(MonthlyReport)
        .where(col(MonthlyReport.id) == report_id, col(MonthlyReport.status) == "draft")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def replace_draft_figures(
    session: AsyncSession, unit_code: str, month: str, values: dict[str, Any]
) -> int | None:
    """Regenerate the open draft of a unit and month; its id, or None if there is none."""
    draft = await session.scalar(
        select(col(MonthlyReport.id)).where(
            col(MonthlyReport.unit_code) == unit_code,
            col(MonthlyReport.month) == month,
            col(MonthlyReport.status) == "draft",
        )
    )
    if draft is None or not await update_draft(session, draft, **values):
        return None
    return int(draft)


async def first_sign_offs(session: AsyncSession, month: str) -> dict[str, tuple[int, dt.datetime]]:
    """Per unit, the earliest signed-off revision of the month (when the unit reported)."""
    rows = await session.execute(
        select(MonthlyReport.unit_code, MonthlyReport.id, MonthlyReport.signed_off_at)
        .where(col(MonthlyReport.month) == month, col(MonthlyReport.status) == "locked")
        .order_by(col(MonthlyReport.signed_off_at))
    )
    first: dict[str, tuple[int, dt.datetime]] = {}
    for unit_code, report_id, at in rows:
        first.setdefault(unit_code, (report_id, at))
    return first


async def institution_counts(session: AsyncSession) -> dict[str, dict[str, int]]:
    """Institutions per unit and status, as they stand now."""
    rows = await session.execute(
        select(Institution.unit_code, Institution.status, func.count()).group_by(
            col(Institution.unit_code), col(Institution.status)
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for unit_code, status, n in rows:
        counts.setdefault(unit_code, {})[status] = int(n)
    return counts
