"""Monthly reports (PLAN §三.(一)): generated per unit and month from the transactions,
reviewed by the unit's officer (narrative), signed off and locked; the late-unit list; the
city roll-up; exports as XLSX and CSV.

The gateway composes the figures (enrolment's transactions, institutions' statuses) and
posts the snapshot to the institutions service, which stores it beside the units and their
quotas; a locked revision is never regenerated (see services/institutions/reporting)."""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from gateway.clients import Services
from gateway.deps import check_unit_scope, roles
from gateway.flow.quota_progress import money_of, sees_money, steps_of
from gateway.flow.report_files import (
    XLSX,
    city_sections,
    file_response,
    sections,
)
from gateway.flow.report_schemas import (
    Amount,
    CityReport,
    Deadlines,
    GroupCount,
    Institutions,
    Money,
    Month,
    MonthlyFigures,
    MonthlyReport,
    MonthlyReportCreate,
    MonthlyReportList,
    NarrativeIn,
    Steps,
    TradeCount,
    TypeCount,
)
from gateway.problems import doc, problems
from gateway.strict import Id
from plumbing.errors import Forbidden
from plumbing.ids import units
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["reports"])
ReportReader = Annotated[Principal, Depends(roles("government", "admin", "finance"))]
ReportWriter = Annotated[Principal, Depends(roles("government", "admin"))]


async def city_wide(user: ReportReader) -> Principal:
    """City officers, admins and finance: the city report is not a county officer's."""
    if user.role == "government" and user.unit_code is not None:
        raise Forbidden("the city report is for city officers and finance")
    return user


CityReader = Annotated[Principal, Depends(city_wide)]
COUNTS = ("selected", "accepted", "completed", "certified", "failed", "dropped")


def month_span(month: str) -> tuple[dt.date, dt.date]:
    year, number = (int(p) for p in month.split("-"))
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def shaped(raw: dict[str, Any], user: Principal) -> MonthlyReport:
    """A stored revision as this user may see it (money for finance only)."""
    report = MonthlyReport.model_validate(raw)
    if not sees_money(user):
        report.figures.money = None
    return report


@router.post("/reports/monthly", **doc(MonthlyReport, "conflict", status=201))
async def generate_monthly_report(
    user: ReportWriter, request: Request, svc: Services, body: MonthlyReportCreate
) -> MonthlyReport:
    """Generate a unit's report for a month from the transactions: replaces the open draft,
    or starts a new revision when the last one is signed off (that one never changes)."""
    check_unit_scope(user, body.unit_code)
    from_on, to_on = month_span(body.month)
    span = {"from_on": from_on.isoformat(), "to_on": to_on.isoformat(), "unit_code": body.unit_code}
    stats, counts = await asyncio.gather(
        svc.enrolment.call(request, "GET", "/v1/stats/units", user, params=span),
        svc.institutions.call(
            request, "GET", "/v1/institution-counts", user, params={"unit_code": body.unit_code}
        ),
    )
    unit: dict[str, Any] = next(
        iter(stats["items"]), {"by_group": [], "by_trade": [], "by_training_type": []}
    )
    inst = counts["items"][0]
    figures = MonthlyFigures(
        unit_code=body.unit_code,
        unit_name=units()[body.unit_code].name_zh,
        month=body.month,
        from_on=from_on,
        to_on=to_on,
        steps=steps_of(unit),
        by_group=[GroupCount(**g) for g in unit["by_group"]],
        by_trade=[TradeCount(**t) for t in unit["by_trade"]],
        by_training_type=[TypeCount(**t) for t in unit["by_training_type"]],
        money=money_of(unit),
        institutions=Institutions(
            active=inst["active"], suspended=inst["suspended"], revoked=inst["revoked"]
        ),
    )
    stored = await svc.institutions.call(
        request,
        "POST",
        "/v1/monthly-reports",
        user,
        json={
            "unit_code": body.unit_code,
            "month": body.month,
            "figures": figures.model_dump(mode="json"),
        },
    )
    return shaped(stored, user)


@router.get("/reports/monthly", **doc(MonthlyReportList))
async def list_monthly_reports(
    user: ReportReader,
    request: Request,
    svc: Services,
    month: Month | None = None,
    unit_code: Annotated[str | None, Query(max_length=32)] = None,
    status: Literal["draft", "locked"] | None = None,
) -> MonthlyReportList:
    """Reports and their revisions (a unit officer sees their own unit's)."""
    params = {"month": month, "unit_code": unit_code, "status": status}
    raw = await svc.institutions.call(request, "GET", "/v1/monthly-reports", user, params=params)
    items = [shaped(r, user) for r in raw["items"]]
    return MonthlyReportList(items=items, total=len(items))


@router.get("/reports/monthly/deadlines/{month}", **doc(Deadlines))
async def monthly_deadlines(
    user: ReportReader, request: Request, svc: Services, month: Month
) -> Deadlines:
    """Units that signed a month off on time, late, or not at all (due the 5th of the next
    month, Asia/Shanghai); city officers and finance."""
    raw = await svc.institutions.call(
        request, "GET", f"/v1/monthly-reports/deadlines/{month}", user
    )
    return Deadlines.model_validate(raw)


async def city_report(request: Request, svc: Services, user: Principal, month: str) -> CityReport:
    raw = await svc.institutions.call(
        request, "GET", "/v1/monthly-reports", user, params={"month": month, "status": "locked"}
    )
    latest: dict[str, MonthlyReport] = {}
    for r in raw["items"]:
        report = MonthlyReport.model_validate(r)
        if report.unit_code not in latest or report.revision > latest[report.unit_code].revision:
            latest[report.unit_code] = report
    steps: dict[str, int] = dict.fromkeys(Steps.model_fields, 0)
    groups: dict[str, dict[str, int]] = {}
    types: dict[str, dict[str, int]] = {}
    inst = {"active": 0, "suspended": 0, "revoked": 0}
    paid_fen = 0
    by: dict[str, dict[str, int]] = {"by_source": {}, "by_kind": {}}
    for report in latest.values():
        f = report.figures
        for name in steps:
            steps[name] += getattr(f.steps, name)
        for g in f.by_group:
            acc = groups.setdefault(g.group, dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                acc[name] += getattr(g, name)
        for t in f.by_training_type:
            acc = types.setdefault(t.training_type, dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                acc[name] += getattr(t, name)
        for name in inst:
            inst[name] += getattr(f.institutions, name)
        if f.money is not None:
            paid_fen += f.money.subsidy_paid_fen
            for key, acc in by.items():
                for a in getattr(f.money, key):
                    acc[a.source] = acc.get(a.source, 0) + a.amount_fen
    return CityReport(
        month=month,
        units_reported=sorted(latest),
        units_missing=sorted(set(units()) - set(latest)),
        report_ids=sorted(r.id for r in latest.values()),
        steps=Steps(**steps),
        by_group=[GroupCount(group=g, **c) for g, c in sorted(groups.items())],
        by_training_type=[TypeCount(training_type=t, **c) for t, c in sorted(types.items())],
        money=Money(
            subsidy_paid_fen=paid_fen,
            by_source=[Amount(source=k, amount_fen=v) for k, v in sorted(by["by_source"].items())],
            by_kind=[Amount(source=k, amount_fen=v) for k, v in sorted(by["by_kind"].items())],
        )
        if sees_money(user)
        else None,
        institutions=Institutions(**inst),
    )


@router.get("/reports/monthly/city/{month}", **doc(CityReport))
async def monthly_city_report(
    user: CityReader, request: Request, svc: Services, month: Month
) -> CityReport:
    """The city's report of a month: the units' latest signed-off revisions added up."""
    return await city_report(request, svc, user, month)


@router.get(
    "/reports/monthly/city/{month}/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **problems()},
)
async def export_city_report(
    user: CityReader,
    request: Request,
    svc: Services,
    month: Month,
    format: Literal["xlsx", "csv"] = Query("xlsx"),
) -> Response:
    """The city's report of a month as XLSX or CSV."""
    city = await city_report(request, svc, user, month)
    return await file_response(
        city_sections(city), f"济宁市-{month}-月报", f"city-report-{month}", format
    )


@router.get("/reports/monthly/{report_id}", **doc(MonthlyReport, "not_found"))
async def get_monthly_report(
    user: ReportReader, request: Request, svc: Services, report_id: Id
) -> MonthlyReport:
    """One revision of a monthly report."""
    return shaped(
        await svc.institutions.call(request, "GET", f"/v1/monthly-reports/{report_id}", user), user
    )


@router.put(
    "/reports/monthly/{report_id}/narrative", **doc(MonthlyReport, "not_found", "invalid_state")
)
async def write_narrative(
    user: ReportWriter, request: Request, svc: Services, report_id: Id, body: NarrativeIn
) -> MonthlyReport:
    """The unit officer's narrative on a draft (409 once it is signed off)."""
    raw = await svc.institutions.call(
        request, "PUT", f"/v1/monthly-reports/{report_id}/narrative", user, json=body.model_dump()
    )
    return shaped(raw, user)


@router.post(
    "/reports/monthly/{report_id}/sign-off", **doc(MonthlyReport, "not_found", "invalid_state")
)
async def sign_off(
    user: ReportWriter, request: Request, svc: Services, report_id: Id
) -> MonthlyReport:
    """Sign a draft off: it is locked and never changes; a correction is a new revision."""
    raw = await svc.institutions.call(
        request, "POST", f"/v1/monthly-reports/{report_id}/sign-off", user
    )
    return shaped(raw, user)


@router.get(
    "/reports/monthly/{report_id}/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **problems("not_found")},
)
async def export_monthly_report(
    user: ReportReader,
    request: Request,
    svc: Services,
    report_id: Id,
    format: Literal["xlsx", "csv"] = Query("xlsx"),
) -> Response:
    """A report revision as XLSX (one sheet per section) or CSV (UTF-8 with BOM)."""
    report = shaped(
        await svc.institutions.call(request, "GET", f"/v1/monthly-reports/{report_id}", user), user
    )
    name = f"{report.figures.unit_name}-{report.month}-月报-第{report.revision}版"
    fallback = f"monthly-report-{report.unit_code}-{report.month}-r{report.revision}"
    return await file_response(sections(report), name, fallback, format)
