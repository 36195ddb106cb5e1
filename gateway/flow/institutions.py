"""The institution and training catalogues, institution supervision and staff accounts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from gateway.accounts import service as accounts
from gateway.accounts.schemas import StaffCreate
from gateway.clients import Services
from gateway.deps import CurrentUser, Government, check_unit_scope
from gateway.flow.schemas import (
    CatalogueItem,
    Institution,
    InstitutionIn,
    OptionalReason,
    StaffAccount,
    Suspension,
)
from gateway.problems import doc
from plumbing.db import SessionDep
from plumbing.errors import DomainError
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")


async def active_institution(
    request: Request, svc: Services, user: Principal, institution_id: int
) -> dict[str, Any]:
    """The institution, if it may take offerings and orders: a suspended or revoked one may
    not (PLAN §二.(三).14, the exit mechanism)."""
    institution: dict[str, Any] = await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}", user
    )
    if institution["status"] != "active":
        raise DomainError(
            "institution_inactive",
            f"institution {institution_id} is {institution['status']}",
            current_status=institution["status"],
        )
    return institution


@router.get("/catalogue/items", tags=["catalogue"], **doc(Page[CatalogueItem]))
async def catalogue_items(
    user: CurrentUser,
    request: Request,
    svc: Services,
    catalogue: str | None = Query(None, pattern="^(key_industry|general)$"),
    occupation_code: str | None = Query(None, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> Any:
    """The key-industry and general training catalogues, with subsidy standards in fen."""
    params = {
        "catalogue": catalogue,
        "occupation_code": occupation_code,
        "level": level,
        "limit": limit,
        "offset": offset,
    }
    return await svc.institutions.call(request, "GET", "/v1/catalogue/items", user, params=params)


@router.get("/units", tags=["catalogue"], **doc(None))
async def units(user: CurrentUser, request: Request, svc: Services) -> Any:
    """The 15 units of Jining with their 2019 quotas."""
    return await svc.institutions.call(request, "GET", "/v1/units", user)


@router.post(
    "/institutions",
    tags=["institutions"],
    **doc(Institution, "invalid_credit_code", "unknown_unit", "conflict", status=201),
)
async def register_institution(
    body: InstitutionIn, user: Government, request: Request, svc: Services
) -> Any:
    """Register a training institution with its approved occupations and levels."""
    check_unit_scope(user, body.unit_code)
    return await svc.institutions.call(
        request, "POST", "/v1/institutions", user, json=body.model_dump(mode="json")
    )


@router.get("/institutions", tags=["institutions"], **doc(Page[Institution]))
async def list_institutions(
    user: CurrentUser,
    request: Request,
    svc: Services,
    unit_code: str | None = None,
    status: str | None = None,
    occupation_code: str | None = None,
    level: int | None = Query(None, ge=1, le=5),
    q: str | None = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> Any:
    """The institution catalogue, searchable."""
    params = {
        "unit_code": unit_code,
        "status": status,
        "occupation_code": occupation_code,
        "level": level,
        "q": q,
        "limit": limit,
        "offset": offset,
    }
    return await svc.institutions.call(request, "GET", "/v1/institutions", user, params=params)


@router.get(
    "/institutions/{institution_id}", tags=["institutions"], **doc(Institution, "not_found")
)
async def get_institution(
    institution_id: int, user: CurrentUser, request: Request, svc: Services
) -> Any:
    """One institution."""
    return await svc.institutions.call(request, "GET", f"/v1/institutions/{institution_id}", user)


async def _transition(
    request: Request, svc: Services, user: Any, institution_id: int, action: str, body: Any
) -> Any:
    return await svc.institutions.call(
        request,
        "POST",
        f"/v1/institutions/{institution_id}/{action}",
        user,
        json=body.model_dump(mode="json"),
    )


@router.post(
    "/institutions/{institution_id}/suspend",
    tags=["institutions"],
    **doc(Institution, "not_found", "invalid_state"),
)
async def suspend_institution(
    institution_id: int, body: Suspension, user: Government, request: Request, svc: Services
) -> Any:
    """Suspend an institution: it takes no new offerings or acceptances."""
    return await _transition(request, svc, user, institution_id, "suspend", body)


@router.post(
    "/institutions/{institution_id}/reinstate",
    tags=["institutions"],
    **doc(Institution, "not_found", "invalid_state"),
)
async def reinstate_institution(
    institution_id: int, body: OptionalReason, user: Government, request: Request, svc: Services
) -> Any:
    """Lift a suspension."""
    return await _transition(request, svc, user, institution_id, "reinstate", body)


@router.post(
    "/institutions/{institution_id}/revoke",
    tags=["institutions"],
    **doc(Institution, "not_found", "invalid_state"),
)
async def revoke_institution(
    institution_id: int, body: Suspension, user: Government, request: Request, svc: Services
) -> Any:
    """Revoke an institution (final: the exit mechanism)."""
    return await _transition(request, svc, user, institution_id, "revoke", body)


@router.post(
    "/institutions/{institution_id}/staff",
    tags=["institutions"],
    **doc(StaffAccount, "not_found", "conflict", status=201),
)
async def create_staff(
    institution_id: int,
    body: StaffCreate,
    user: Government,
    request: Request,
    svc: Services,
    session: SessionDep,
) -> StaffAccount:
    """Create a staff login bound to one institution."""
    institution = await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}", user
    )
    check_unit_scope(user, institution["unit_code"])
    account = await accounts.create_staff(
        session, body.username, body.password, institution_id, institution["unit_code"]
    )
    assert account.id is not None
    assert account.username is not None
    return StaffAccount(
        id=account.id, username=account.username, role="institution", institution_id=institution_id
    )
