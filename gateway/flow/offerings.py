"""Order 2 (政府列单): listing subsidised offerings, and browsing them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from gateway.clients import Services
from gateway.deps import CurrentUser, Government, check_unit_scope
from gateway.flow.institutions import active_institution
from gateway.flow.schemas import Offering, OfferingIn
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.clock import shanghai_today
from plumbing.errors import DomainError
from plumbing.pagination import Page

router = APIRouter(prefix="/api/v1")


@router.post(
    "/offerings",
    tags=["offerings"],
    **doc(
        Offering,
        "not_found",
        "institution_inactive",
        "not_approved",
        "not_in_catalogue",
        "training_type_not_offered",
        "unknown_unit",
        "date_in_past",
        status=201,
    ),
)
async def list_offering(body: OfferingIn, user: Government, request: Request, svc: Services) -> Any:
    """Order 2 (政府列单): list a subsidised offering; the catalogue fixes its subsidy now."""
    check_unit_scope(user, body.unit_code)
    institution = await active_institution(request, svc, user, body.institution_id)
    approved = {(a["occupation_code"], a["level"]) for a in institution.get("approvals", [])}
    if (body.occupation_code, body.level) not in approved:
        raise DomainError(
            "not_approved",
            f"institution {body.institution_id} is not approved for "
            f"{body.occupation_code} level {body.level}",
        )
    item = await svc.institutions.call(
        request,
        "GET",
        "/v1/catalogue/lookup",
        user,
        # The subsidy standard in force on the listing day is fixed on the offering; a later
        # catalogue version does not change it (PLAN §二.(二).10).
        params={
            "occupation_code": body.occupation_code,
            "level": body.level,
            "as_of": shanghai_today().isoformat(),
        },
    )
    # The offering records one of the item's training types (the monthly report counts by it).
    types: list[str] = item["training_types"]
    training_type: str = body.training_type or next(iter(types), "employment_skills")
    if types and training_type not in types:
        raise DomainError(
            "training_type_not_offered",
            f"the catalogue item {body.occupation_code} level {body.level} has the training "
            f"types {', '.join(types)}, not {training_type}",
        )
    payload = body.model_dump(mode="json") | {
        "training_type": training_type,
        "institution_name": institution["name"],
        "occupation_name": item["occupation_name"],
        "subsidy_fen": item["subsidy_fen"],
        "catalogue_item_id": item["id"],
    }
    return await svc.enrolment.call(request, "POST", "/v1/offerings", user, json=payload)


@router.get("/offerings", tags=["offerings"], **doc(Page[Offering]))
async def browse_offerings(
    user: CurrentUser,
    request: Request,
    svc: Services,
    occupation_code: str | None = Query(None, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    unit_code: str | None = None,
    institution_id: Id | None = None,
    status: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Browse listed offerings."""
    params = {
        "occupation_code": occupation_code,
        "level": level,
        "unit_code": unit_code,
        "institution_id": institution_id,
        "status": status,
        "limit": limit,
        "offset": offset,
    }
    return await svc.enrolment.relay(request, "GET", "/v1/offerings", user, params=params)


@router.get("/offerings/{offering_id}", tags=["offerings"], **doc(Offering, "not_found"))
async def get_offering(offering_id: Id, user: CurrentUser, request: Request, svc: Services) -> Any:
    """One offering, with seats left."""
    return await svc.enrolment.relay(request, "GET", f"/v1/offerings/{offering_id}", user)
