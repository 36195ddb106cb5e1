"""Quotas per unit and year; monthly reports: draft, narrative, sign-off (lock), deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import SHANGHAI, shanghai_today, utcnow
from plumbing.errors import DomainError, Forbidden, InvalidState, NotFound
from plumbing.principal import Principal, require_role
from services.institutions.reporting import repository
from services.institutions.reporting.models import MonthlyReport, UnitQuota
from services.institutions.reporting.schemas import (
    DeadlineList,
    InstitutionCountList,
    InstitutionCounts,
    NarrativeUpdate,
    QuotaList,
    QuotaPublic,
    ReportCreate,
    ReportList,
    ReportPublic,
    UnitDeadline,
)

# PLAN §三.(一): each unit reports the previous month's work by the 5th of every month.
DEADLINE_DAY = 5
FIRST_YEAR = 2019


def _may_read(principal: Principal, unit_code: str | None) -> None:
    """Government reads its own unit (city officers: all); finance reads all."""
    require_role(principal, "government", "admin", "finance")
    if principal.role == "government" and principal.unit_code not in (None, unit_code):
        raise Forbidden("a unit officer sees only their own unit")


def _may_write(principal: Principal, unit_code: str) -> None:
    require_role(principal, "government", "admin")
    if principal.unit_code is not None and principal.unit_code != unit_code:
        raise Forbidden("a unit officer reports only for their own unit")


async def list_quotas(session: AsyncSession, principal: Principal, year: int) -> QuotaList:
    """Every unit's quota for a year: 2019 from the plan's CSV, later years as entered."""
    require_role(principal, "government", "admin", "finance")
    entered = await repository.quotas_of_year(session, year)
    items = []
    for unit in await repository.list_units(session):
        if principal.role == "government" and principal.unit_code not in (None, unit.code):
            continue
        if year == FIRST_YEAR:
            items.append(
                QuotaPublic(
                    unit_code=unit.code,
                    name_zh=unit.name_zh,
                    year=year,
                    quota=unit.quota_2019,
                    source="plan_csv",
                )
            )
        else:
            quota = entered.get(unit.code)
            items.append(
                QuotaPublic(
                    unit_code=unit.code,
                    name_zh=unit.name_zh,
                    year=year,
                    quota=quota,
                    source="missing" if quota is None else "entered",
                )
            )
    return QuotaList(year=year, items=items, total=len(items))


async def set_quota(
    session: AsyncSession, principal: Principal, unit_code: str, year: int, quota: int
) -> QuotaPublic:
    """Enter (or correct) a unit's quota for 2020 or later; city officers only."""
    require_role(principal, "government", "admin")
    if not principal.city_wide:
        raise Forbidden("quotas are set by the city")
    if year <= FIRST_YEAR:
        raise DomainError(
            "validation_failed", "the 2019 quotas come from the plan (quotas-2019.csv)"
        )
    units = {u.code: u for u in await repository.list_units(session)}
    if unit_code not in units:
        raise NotFound("unit", unit_code)
    row = await repository.get_quota(session, unit_code, year)
    now = utcnow()
    if row is None:
        session.add(
            UnitQuota(unit_code=unit_code, year=year, quota=quota, set_by=principal.id, set_at=now)
        )
    else:
        row.quota, row.set_by, row.set_at = quota, principal.id, now
    try:
        await session.commit()
    except IntegrityError as exc:  # two first entries at once: the other one won
        await session.rollback()
        raise DomainError("conflict", "the quota was entered concurrently; retry") from exc
    return QuotaPublic(
        unit_code=unit_code,
        name_zh=units[unit_code].name_zh,
        year=year,
        quota=quota,
        source="entered",
    )


async def generate_report(
    session: AsyncSession, principal: Principal, body: ReportCreate
) -> ReportPublic:
    """Store freshly composed figures as the open draft of a unit and month: the draft is
    replaced; after a sign-off a new revision starts (a locked revision never changes)."""
    _may_write(principal, body.unit_code)
    now = utcnow()
    values: dict[str, Any] = {"figures": body.figures, "generated_by": principal.id}
    values["generated_at"] = now
    report_id = await repository.replace_draft_figures(session, body.unit_code, body.month, values)
    if report_id is None:
        revision = await repository.next_revision(session, body.unit_code, body.month)
        report = MonthlyReport(
            unit_code=body.unit_code,
            month=body.month,
            revision=revision,
            figures=body.figures,
            generated_by=principal.id,
            generated_at=now,
        )
        session.add(report)
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent generation took the revision number
            await session.rollback()
            raise DomainError("conflict", "the report is being generated concurrently") from exc
        report_id = report.id
    await session.commit()
    assert report_id is not None
    return await get_report(session, principal, report_id)


async def _load(session: AsyncSession, report_id: int) -> MonthlyReport:
    report = await repository.get_report(session, report_id)
    if report is None:
        raise NotFound("monthly report", report_id)
    return report


async def get_report(session: AsyncSession, principal: Principal, report_id: int) -> ReportPublic:
    """One revision of a monthly report."""
    report = await _load(session, report_id)
    _may_read(principal, report.unit_code)
    return ReportPublic.model_validate(report)


async def list_reports(
    session: AsyncSession,
    principal: Principal,
    month: str | None,
    unit_code: str | None,
    status: str | None,
) -> ReportList:
    """Reports by month, unit and status; a unit officer sees their own unit's only."""
    require_role(principal, "government", "admin", "finance")
    if principal.role == "government" and principal.unit_code is not None:
        _may_read(principal, unit_code or principal.unit_code)
        unit_code = principal.unit_code
    rows = await repository.list_reports(session, month, unit_code, status)
    items = [ReportPublic.model_validate(r) for r in rows]
    return ReportList(items=items, total=len(items))


async def write_narrative(
    session: AsyncSession, principal: Principal, report_id: int, body: NarrativeUpdate
) -> ReportPublic:
    """The unit's officer reviews the draft and adds the narrative."""
    report = await _load(session, report_id)
    _may_write(principal, report.unit_code)
    if not await repository.update_draft(session, report_id, narrative=body.narrative):
        raise InvalidState("locked", "write_narrative")
    await session.commit()
    return await get_report(session, principal, report_id)


async def sign_off(session: AsyncSession, principal: Principal, report_id: int) -> ReportPublic:
    """Sign the draft off: from now on it is locked and never changes."""
    report = await _load(session, report_id)
    _may_write(principal, report.unit_code)
    locked = await repository.update_draft(
        session, report_id, status="locked", signed_off_by=principal.id, signed_off_at=utcnow()
    )
    if not locked:
        raise InvalidState("locked", "sign_off")
    await session.commit()
    return await get_report(session, principal, report_id)


def deadline_of(month: str) -> dt.date:
    """The 5th of the month after `month` (PLAN §三.(一))."""
    year, number = (int(part) for part in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return dt.date(year, number, DEADLINE_DAY)


async def deadlines(session: AsyncSession, principal: Principal, month: str) -> DeadlineList:
    """Which units reported a month on time, late, not at all (yet): the city's view."""
    require_role(principal, "government", "admin", "finance")
    if principal.role == "government" and not principal.city_wide:
        raise Forbidden("the late-unit list is the city's")
    due = deadline_of(month)
    today = shanghai_today()
    signed = await repository.first_sign_offs(session, month)
    items = []
    state: Literal["on_time", "late", "missing", "pending"]
    for unit in await repository.list_units(session):
        if unit.code in signed:
            report_id, at = signed[unit.code]
            at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
            state = "on_time" if at.astimezone(SHANGHAI).date() <= due else "late"
            items.append(
                UnitDeadline(
                    unit_code=unit.code,
                    name_zh=unit.name_zh,
                    state=state,
                    report_id=report_id,
                    signed_off_at=at,
                )
            )
        else:
            state = "missing" if today > due else "pending"
            items.append(
                UnitDeadline(
                    unit_code=unit.code,
                    name_zh=unit.name_zh,
                    state=state,
                    report_id=None,
                    signed_off_at=None,
                )
            )
    return DeadlineList(
        month=month,
        deadline_on=due,
        items=items,
        late=[i.unit_code for i in items if i.state == "late"],
        missing=[i.unit_code for i in items if i.state == "missing"],
    )


async def institution_counts(
    session: AsyncSession, principal: Principal, unit_code: str | None
) -> InstitutionCountList:
    """Per unit: institutions active, suspended and revoked (the exit mechanism's state)."""
    require_role(principal, "government", "admin", "finance")
    if unit_code is not None:
        _may_read(principal, unit_code)
    if principal.role == "government" and principal.unit_code is not None:
        unit_code = principal.unit_code
    counts = await repository.institution_counts(session)
    codes = [unit_code] if unit_code else [u.code for u in await repository.list_units(session)]
    items = [
        InstitutionCounts(
            unit_code=code,
            active=counts.get(code, {}).get("active", 0),
            suspended=counts.get(code, {}).get("suspended", 0),
            revoked=counts.get(code, {}).get("revoked", 0),
        )
        for code in codes
    ]
    return InstitutionCountList(items=items)
