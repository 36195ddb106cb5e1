"""Supervision of institutions (PLAN §二.(三).14): class-start plans, inspections,
designations, the performance rating and watch list, and the orders a revocation affects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from gateway.clients import Services
from gateway.deps import Government, InstitutionStaff, Staff, check_unit_scope
from gateway.flow.schemas import Order, Reason
from gateway.flow.supervision_schemas import (
    ClassPlan,
    ClassPlanIn,
    DesignationIn,
    DesignationView,
    Inspection,
    InspectionIn,
    RatingList,
    WatchEntry,
)
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.errors import DomainError, Forbidden
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")


async def require_approved_class_plan(
    request: Request, svc: Services, user: Principal, order_id: Id
) -> None:
    """Attendance counts only in a class whose start plan government approved (§二.(三).14)."""
    order = await svc.enrolment.call(request, "GET", f"/v1/orders/{order_id}", user)
    plan = await svc.institutions.call(
        request, "GET", f"/v1/class-plans/{order['offering_id']}/status", user
    )
    if plan["status"] != "approved":
        raise DomainError(
            "class_plan_not_approved",
            f"the class-start plan of offering {order['offering_id']} is "
            + (plan["status"] or "not filed"),
            plan_status=plan["status"],
        )


async def open_orders(
    request: Request, svc: Services, user: Principal, institution_id: Id
) -> list[dict[str, Any]]:
    """The institution's orders still waiting on it (selected or accepted), from enrolment."""
    found = await svc.enrolment.call(
        request, "GET", f"/v1/stats/institutions/{institution_id}/open-orders", user
    )
    items: list[dict[str, Any]] = found["items"]
    return items


async def _accepted_roster(
    request: Request, svc: Services, user: Principal, offering_id: Id
) -> list[dict[str, Any]]:
    roster: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = await svc.enrolment.call(
            request,
            "GET",
            "/v1/orders",
            user,
            params={
                "offering_id": offering_id,
                "status": "accepted",
                "limit": 200,
                "offset": offset,
            },
        )
        roster += [
            {
                "order_id": o["id"],
                "worker_id": o["worker_id"],
                "worker_name_masked": o.get("worker_name_masked", ""),
            }
            for o in page["items"]
        ]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return roster


@router.post(
    "/offerings/{offering_id}/class-plan",
    tags=["supervision"],
    **doc(ClassPlan, "not_found", "class_plan_invalid", "institution_inactive", "invalid_state"),
)
async def file_class_plan(
    offering_id: Id, body: ClassPlanIn, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """The institution files its class-start plan (开班计划) before the class starts: teaching
    plan, trainers and schedule; the roster is the offering's accepted orders. A returned plan
    may be filed again."""
    offering = await svc.enrolment.call(request, "GET", f"/v1/offerings/{offering_id}", user)
    if user.institution_id != offering["institution_id"]:
        raise Forbidden("only the offering's own institution files its class plan")
    roster = await _accepted_roster(request, svc, user, offering_id)
    payload = body.model_dump(mode="json") | {
        "institution_id": offering["institution_id"],
        "unit_code": offering["unit_code"],
        "offering_starts_on": offering["starts_on"],
        "offering_ends_on": offering["ends_on"],
        "offering_hours": offering["hours"],
        "roster": roster,
    }
    return await svc.institutions.call(
        request, "PUT", f"/v1/class-plans/{offering_id}", user, json=payload
    )


@router.get(
    "/offerings/{offering_id}/class-plan", tags=["supervision"], **doc(ClassPlan, "not_found")
)
async def get_class_plan(offering_id: Id, user: Staff, request: Request, svc: Services) -> Any:
    """An offering's class-start plan (government, or the offering's institution)."""
    return await svc.institutions.call(request, "GET", f"/v1/class-plans/{offering_id}", user)


@router.post(
    "/offerings/{offering_id}/class-plan/approve",
    tags=["supervision"],
    **doc(ClassPlan, "not_found", "invalid_state"),
)
async def approve_class_plan(
    offering_id: Id, user: Government, request: Request, svc: Services
) -> Any:
    """Government approves a submitted class-start plan: attendance may now be recorded."""
    return await svc.institutions.call(
        request, "POST", f"/v1/class-plans/{offering_id}/approve", user, json={}
    )


@router.post(
    "/offerings/{offering_id}/class-plan/return",
    tags=["supervision"],
    **doc(ClassPlan, "not_found", "invalid_state"),
)
async def return_class_plan(
    offering_id: Id, body: Reason, user: Government, request: Request, svc: Services
) -> Any:
    """Government returns a submitted plan with the reason; the institution files it again."""
    return await svc.institutions.call(
        request,
        "POST",
        f"/v1/class-plans/{offering_id}/return",
        user,
        json=body.model_dump(mode="json"),
    )


@router.get("/class-plans", tags=["supervision"], **doc(Page[ClassPlan]))
async def list_class_plans(
    user: Staff,
    request: Request,
    svc: Services,
    status: str | None = Query(None, pattern="^(submitted|approved|returned)$"),
    institution_id: Id | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Class-start plans: government's review queue (`status=submitted`), or an
    institution's own."""
    params = {"status": status, "institution_id": institution_id, "limit": limit, "offset": offset}
    return await svc.institutions.call(request, "GET", "/v1/class-plans", user, params=params)


@router.post(
    "/institutions/{institution_id}/inspections",
    tags=["supervision"],
    **doc(Inspection, "not_found", status=201),
)
async def record_inspection(
    institution_id: Id, body: InspectionIn, user: Government, request: Request, svc: Services
) -> Any:
    """Record an inspection: date, findings, severity and when follow-up is due."""
    return await svc.institutions.call(
        request,
        "POST",
        f"/v1/institutions/{institution_id}/inspections",
        user,
        json=body.model_dump(mode="json"),
    )


@router.get(
    "/institutions/{institution_id}/inspections",
    tags=["supervision"],
    **doc(list[Inspection], "not_found"),  # type: ignore[arg-type]
)
async def list_inspections(institution_id: Id, user: Staff, request: Request, svc: Services) -> Any:
    """An institution's inspections (government, or the institution's own staff)."""
    return await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}/inspections", user
    )


@router.post(
    "/institutions/{institution_id}/designations",
    tags=["supervision"],
    **doc(DesignationView, "not_found", status=201),
)
async def designate(
    institution_id: Id, body: DesignationIn, user: Government, request: Request, svc: Services
) -> Any:
    """Record a high-skill talent training base (city, provincial, national) or a
    skill-master studio (master, trade), with its dates; it shows on the institution."""
    return await svc.institutions.call(
        request,
        "POST",
        f"/v1/institutions/{institution_id}/designations",
        user,
        json=body.model_dump(mode="json"),
    )


@router.get(
    "/institutions/{institution_id}/open-orders",
    tags=["supervision"],
    **doc(Page[Order], "not_found"),
)
async def institution_open_orders(
    institution_id: Id, user: Government, request: Request, svc: Services
) -> Any:
    """The institution's orders still waiting on it, e.g. after a revocation, for government
    to cancel or move."""
    institution = await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}", user
    )
    check_unit_scope(user, institution["unit_code"])
    items = await open_orders(request, svc, user, institution_id)
    return {"items": items, "total": len(items), "limit": len(items), "offset": 0}


@router.get(
    "/institutions/{institution_id}/ratings", tags=["supervision"], **doc(RatingList, "not_found")
)
async def institution_ratings(
    institution_id: Id, user: Staff, request: Request, svc: Services
) -> Any:
    """An institution's rating history with its inputs."""
    return await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}/ratings", user
    )


@router.post("/supervision/ratings", tags=["supervision"], **doc(RatingList, status=201))
async def rate_institutions(user: Government, request: Request, svc: Services) -> Any:
    """Compute and publish every institution's performance rating from its outcomes
    (completion, evaluation passes, rejected claims) and inspection findings; institutions
    past the thresholds go on the watch list."""
    outcomes = await svc.enrolment.call(request, "GET", "/v1/stats/institutions", user)
    return await svc.institutions.call(
        request, "POST", "/v1/ratings", user, json={"outcomes": outcomes["items"]}
    )


@router.get("/supervision/watch-list", tags=["supervision"], **doc(list[WatchEntry]))  # type: ignore[arg-type]
async def watch_list(user: Government, request: Request, svc: Services) -> Any:
    """Institutions proposed for a closer look, with the reasons: a proposal for government,
    not an automatic suspension."""
    return await svc.institutions.call(request, "GET", "/v1/watch-list", user)


@router.get("/supervision/outcomes", tags=["supervision"], **doc(None))
async def outcomes(
    user: Government, request: Request, svc: Services, institution_id: Id | None = None
) -> Any:
    """Order and claim outcomes per institution, as enrolment counts them."""
    return await svc.enrolment.call(
        request, "GET", "/v1/stats/institutions", user, params={"institution_id": institution_id}
    )
