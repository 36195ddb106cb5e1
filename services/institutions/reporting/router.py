"""HTTP routes of quotas and monthly reports (government and finance, through the gateway)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.principal import CurrentPrincipal
from services.institutions.fields import UnitCode
from services.institutions.reporting import service
from services.institutions.reporting.schemas import (
    DeadlineList,
    InstitutionCountList,
    Month,
    NarrativeUpdate,
    QuotaList,
    QuotaPublic,
    QuotaSet,
    ReportCreate,
    ReportList,
    ReportPublic,
    Year,
)

router = APIRouter(prefix="/v1", tags=["reporting"])


@router.get("/quotas/{year}", response_model=QuotaList)
async def list_quotas(year: Year, principal: CurrentPrincipal, session: SessionDep) -> QuotaList:
    """Every unit's quota of subsidised person-times for a year."""
    return await service.list_quotas(session, principal, year)


@router.put("/quotas/{year}/{unit_code}", response_model=QuotaPublic)
async def set_quota(
    year: Year, unit_code: str, body: QuotaSet, principal: CurrentPrincipal, session: SessionDep
) -> QuotaPublic:
    """Enter a unit's quota for 2020 or later (city officers)."""
    return await service.set_quota(session, principal, unit_code, year, body.quota)


@router.post("/monthly-reports", status_code=201, response_model=ReportPublic)
async def generate_report(
    body: ReportCreate, principal: CurrentPrincipal, session: SessionDep
) -> ReportPublic:
    """Store composed figures as the open draft (a new revision after a sign-off)."""
    return await service.generate_report(session, principal, body)


@router.get("/monthly-reports", response_model=ReportList)
async def list_reports(
    principal: CurrentPrincipal,
    session: SessionDep,
    month: Month | None = None,
    unit_code: UnitCode | None = None,
    status: Literal["draft", "locked"] | None = None,
) -> ReportList:
    """Monthly reports by month, unit and status."""
    return await service.list_reports(session, principal, month, unit_code, status)


@router.get("/monthly-reports/deadlines/{month}", response_model=DeadlineList)
async def deadlines(month: Month, principal: CurrentPrincipal, session: SessionDep) -> DeadlineList:
    """Units on time, late and missing for a month (deadline the 5th of the next month)."""
    return await service.deadlines(session, principal, month)


@router.get("/monthly-reports/{report_id}", response_model=ReportPublic)
async def get_report(
    report_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ReportPublic:
    """One revision of a monthly report."""
    return await service.get_report(session, principal, report_id)


@router.put("/monthly-reports/{report_id}/narrative", response_model=ReportPublic)
async def write_narrative(
    report_id: int, body: NarrativeUpdate, principal: CurrentPrincipal, session: SessionDep
) -> ReportPublic:
    """Add the unit officer's narrative to a draft."""
    return await service.write_narrative(session, principal, report_id, body)


@router.post("/monthly-reports/{report_id}/sign-off", response_model=ReportPublic)
async def sign_off(
    report_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ReportPublic:
    """Sign a draft off: it is locked for good."""
    return await service.sign_off(session, principal, report_id)


@router.get("/institution-counts", response_model=InstitutionCountList)
async def institution_counts(
    principal: CurrentPrincipal, session: SessionDep, unit_code: UnitCode | None = None
) -> InstitutionCountList:
    """Per unit: institutions active, suspended and revoked."""
    return await service.institution_counts(session, principal, unit_code)
