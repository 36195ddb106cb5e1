"""Quota progress per unit and year, for the whole city, per target group and over the
plan's three years (PLAN "Goals"), composed from institutions' quotas and enrolment's
per-unit figures; and the same as an SVG chart a report page or a chat message can embed."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from gateway.clients import Services
from gateway.deps import roles
from gateway.flow.report_files import XLSX, file_response, quota_chart_svg, quota_sections
from gateway.flow.report_schemas import (
    GROUP_GOALS,
    Amount,
    GroupRow,
    Money,
    QuotaIn,
    QuotaList,
    QuotaProgress,
    QuotaRow,
    QuotaView,
    Steps,
    ThreeYear,
    Year,
)
from gateway.problems import doc, problems
from gateway.strict import path_segment
from plumbing.clock import shanghai_today
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["reports"])
# Government reads (a unit officer their own unit); finance reads all, with the money.
ReportReader = Annotated[Principal, Depends(roles("government", "admin", "finance"))]
CityOfficer = Annotated[Principal, Depends(roles("government", "admin"))]
# A unit more than a fifth behind where an even pace would put it is on the watch list.
PACE_TOLERANCE = 0.8
STEP_NAMES = ("requests", "selected", "accepted", "completed", "certified", "failed", "dropped")


def sees_money(user: Principal) -> bool:
    """Only finance sees the money columns (issue 7, item 6)."""
    return user.role == "finance"


def steps_of(figures: dict[str, Any]) -> Steps:
    return Steps(**{name: figures.get(name, 0) for name in (*STEP_NAMES, "paid")})


def money_of(figures: dict[str, Any]) -> Money:
    return Money(
        subsidy_paid_fen=figures.get("subsidy_paid_fen", 0),
        by_source=[Amount(**a) for a in figures.get("paid_by_source", [])],
        by_kind=[Amount(**a) for a in figures.get("paid_by_kind", [])],
    )


def expected_share(year: int, today: dt.date) -> float:
    """The share of the year's quota an even pace would have delivered by `today`."""
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    return today.timetuple().tm_yday / days


def pct(part: int, whole: int | None) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def _row(
    code: str, name: str, quota: int | None, figures: dict[str, Any], share: float, money: bool
) -> QuotaRow:
    steps = steps_of(figures)
    behind = bool(quota) and steps.completed < quota * share * PACE_TOLERANCE  # type: ignore[operator]
    return QuotaRow(
        unit_code=code,
        name_zh=name,
        quota=quota,
        steps=steps,
        progress_pct=pct(steps.completed, quota),
        expected_pct=round(100 * share, 1),
        behind_pace=behind,
        money=money_of(figures) if money else None,
    )


def _sum(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Add units' figures up (counts, money by source and kind)."""
    total: dict[str, Any] = {name: 0 for name in (*STEP_NAMES, "paid", "subsidy_paid_fen")}
    by: dict[str, dict[str, int]] = {"paid_by_source": {}, "paid_by_kind": {}}
    for item in items:
        for name in (*STEP_NAMES, "paid", "subsidy_paid_fen"):
            total[name] += item.get(name, 0)
        for key, acc in by.items():
            for a in item.get(key, []):
                acc[a["source"]] = acc.get(a["source"], 0) + a["amount_fen"]
    for key, acc in by.items():
        total[key] = [{"source": s, "amount_fen": v} for s, v in sorted(acc.items())]
    return total


async def quota_progress(
    request: Request, svc: Services, user: Principal, year: int
) -> QuotaProgress:
    """Compose quotas (institutions) and transactions (enrolment) into the progress view."""
    span = {"from_on": f"{year}-01-01", "to_on": f"{year}-12-31"}
    city_wide = user.unit_code is None
    calls = [
        svc.institutions.call(request, "GET", f"/v1/quotas/{year}", user),
        svc.enrolment.call(request, "GET", "/v1/stats/units", user, params=span),
    ]
    if city_wide:
        plan = {"from_on": "2019-01-01", "to_on": "2021-12-31"}
        calls.append(svc.enrolment.call(request, "GET", "/v1/stats/units", user, params=plan))
    results = await asyncio.gather(*calls)
    quotas, figures = results[0], results[1]
    today = shanghai_today()
    share = expected_share(year, today)
    money = sees_money(user)
    by_unit = {f["unit_code"]: f for f in figures["items"]}
    items = [
        _row(
            q["unit_code"], q["name_zh"], q["quota"], by_unit.get(q["unit_code"], {}), share, money
        )
        for q in quotas["items"]
    ]
    city = None
    three_year = None
    if city_wide:
        entered = [q["quota"] for q in quotas["items"] if q["quota"] is not None]
        total_quota = sum(entered) if entered else None
        city = _row("city", "济宁市", total_quota, _sum(figures["items"]), share, money)
        completed = sum(f["completed"] for f in results[2]["items"])
        three_year = ThreeYear(
            completed=completed, progress_pct=round(100 * completed / 250_000, 2)
        )
    groups: dict[str, dict[str, int]] = {}
    for f in figures["items"]:
        for g in f["by_group"]:
            acc = groups.setdefault(g["group"], {"selected": 0, "completed": 0, "certified": 0})
            for name in acc:
                acc[name] += g[name]
    by_group = []
    for group in sorted(set(GROUP_GOALS) | set(groups)):
        acc = groups.get(group, {"selected": 0, "completed": 0, "certified": 0})
        # The plan's group goals are the city's; a unit's share of them is not set.
        goal = GROUP_GOALS.get(group) if city_wide else None
        by_group.append(
            GroupRow(group=group, goal=goal, **acc, progress_pct=pct(acc["completed"], goal))
        )
    return QuotaProgress(
        year=year, as_of=today, items=items, city=city, by_group=by_group, three_year=three_year
    )


@router.get("/reports/quota-progress", **doc(QuotaProgress))
async def get_quota_progress(
    user: ReportReader, request: Request, svc: Services, year: Year
) -> QuotaProgress:
    """Quota progress per unit for a year, the city total, target groups against the plan's
    goals and the 2019–2021 total against 250,000 (a unit officer sees their unit only)."""
    return await quota_progress(request, svc, user, year)


@router.get(
    "/reports/quota-progress/chart.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **problems("validation_failed")},
)
async def quota_progress_chart(
    user: ReportReader, request: Request, svc: Services, year: Year
) -> Response:
    """Quota progress per unit as an SVG bar chart (embeddable as an image)."""
    progress = await quota_progress(request, svc, user, year)
    return Response(quota_chart_svg(progress), media_type="image/svg+xml")


@router.get(
    "/reports/quota-progress/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **problems()},
)
async def export_quota_progress(
    user: ReportReader,
    request: Request,
    svc: Services,
    year: Year,
    format: Literal["xlsx", "csv"] = Query("xlsx"),
) -> Response:
    """Quota progress as XLSX (one sheet per section) or CSV (UTF-8 with BOM)."""
    progress = await quota_progress(request, svc, user, year)
    return await file_response(
        quota_sections(progress), f"{year}年补贴性培训任务进度", f"quota-progress-{year}", format
    )


@router.get("/quotas/{year}", **doc(QuotaList))
async def list_quotas(user: ReportReader, request: Request, svc: Services, year: Year) -> Any:
    """Every unit's quota for a year: 2019 from the plan, later years as government entered."""
    return await svc.institutions.call(request, "GET", f"/v1/quotas/{year}", user)


@router.put("/quotas/{year}/{unit_code}", **doc(QuotaView, "not_found"))
async def set_quota(
    user: CityOfficer, request: Request, svc: Services, year: Year, unit_code: str, body: QuotaIn
) -> Any:
    """Enter a unit's quota of person-times for 2020 or later (city officers)."""
    return await svc.institutions.call(
        request, "PUT", f"/v1/quotas/{year}/{path_segment(unit_code)}", user, json=body.model_dump()
    )
