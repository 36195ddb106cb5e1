"""The institution and training catalogues, institution supervision and staff accounts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from gateway.accounts import service as accounts
from gateway.accounts.schemas import StaffCreate
from gateway.clients import Services
from gateway.deps import CurrentUser, Government, InstitutionStaff, Staff, check_unit_scope
from gateway.flow.schemas import (
    InstitutionIn,
    OptionalReason,
    Reason,
    StaffAccount,
    Suspension,
)
from gateway.flow.supervision import open_orders
from gateway.flow.supervision_schemas import (
    ApprovalIn,
    ContactIn,
    EventList,
    InstitutionEditIn,
    InstitutionView,
    Revoked,
)
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.db import SessionDep
from plumbing.errors import DomainError
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")


async def active_institution(
    request: Request, svc: Services, user: Principal, institution_id: Id
) -> dict[str, Any]:
    """The institution, if it may take offerings and orders: a suspended or revoked one may
    not (PLAN §二.(三).14, the exit mechanism)."""
    institution: dict[str, Any] = await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}", user
    )
    _require_active(institution_id, institution["status"])
    return institution


async def institution_takes_orders(
    request: Request, svc: Services, user: Principal, institution_id: Id
) -> None:
    """The same check as `active_institution` (the same refusals) when only the verdict is
    needed: the institutions service reads the status alone, not the whole record with its
    approvals and designations."""
    found = await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}/status", user
    )
    _require_active(institution_id, found["status"])


def _require_active(institution_id: int, status: str) -> None:
    if status != "active":
        raise DomainError(
            "institution_inactive",
            f"institution {institution_id} is {status}",
            current_status=status,
        )


async def offering_takes_orders(
    request: Request, svc: Services, user: Principal, offering_id: Id
) -> None:
    """A worker may not take a seat with a suspended or revoked institution: the order would
    wait for an acceptance that cannot come (PLAN §二.(三).14)."""
    offering = await svc.enrolment.call(request, "GET", f"/v1/offerings/{offering_id}", user)
    await institution_takes_orders(request, svc, user, offering["institution_id"])


@router.get("/units", tags=["catalogue"], **doc(None))
async def units(user: CurrentUser, request: Request, svc: Services) -> Any:
    """The 15 units of Jining with their 2019 quotas."""
    return await svc.institutions.call(request, "GET", "/v1/units", user)


@router.post(
    "/institutions",
    tags=["institutions"],
    **doc(InstitutionView, "invalid_credit_code", "unknown_unit", "conflict", status=201),
)
async def register_institution(
    body: InstitutionIn, user: Government, request: Request, svc: Services
) -> Any:
    """Register a training institution with its approved occupations and levels."""
    check_unit_scope(user, body.unit_code)
    return await svc.institutions.call(
        request, "POST", "/v1/institutions", user, json=body.model_dump(mode="json")
    )


@router.get("/institutions", tags=["institutions"], **doc(Page[InstitutionView]))
async def list_institutions(
    user: CurrentUser,
    request: Request,
    svc: Services,
    unit_code: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    occupation_code: str | None = None,
    level: int | None = Query(None, ge=1, le=5),
    q: str | None = Query(None, max_length=100, description="part of the name"),
    on_watch: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """The institution catalogue, searchable by name, approved trade and level, unit, kind
    and status. Workers get the public entries (approved trades, designations, rating; no
    staff or personal data); government gets the full records."""
    params = {
        "unit_code": unit_code,
        "status": status,
        "kind": kind,
        "on_watch": on_watch,
        "occupation_code": occupation_code,
        "level": level,
        "q": q,
        "limit": limit,
        "offset": offset,
    }
    return await svc.institutions.call(request, "GET", "/v1/institutions", user, params=params)


@router.get(
    "/institutions/{institution_id}", tags=["institutions"], **doc(InstitutionView, "not_found")
)
async def get_institution(
    institution_id: Id, user: CurrentUser, request: Request, svc: Services
) -> Any:
    """One institution: the public entry, or the full record for government and its staff."""
    return await svc.institutions.call(request, "GET", f"/v1/institutions/{institution_id}", user)


@router.patch(
    "/institutions/{institution_id}",
    tags=["institutions"],
    **doc(InstitutionView, "not_found", "invalid_phone"),
)
async def edit_institution(
    institution_id: Id, body: InstitutionEditIn, user: Government, request: Request, svc: Services
) -> Any:
    """Edit an institution's record: name, kind, address, contact, licence, yearly capacity
    (county officers: their own unit's institutions only). Recorded in its history."""
    return await svc.institutions.call(
        request,
        "PATCH",
        f"/v1/institutions/{institution_id}",
        user,
        json=body.model_dump(mode="json", exclude_unset=True),
    )


@router.patch(
    "/institutions/{institution_id}/contact",
    tags=["institutions"],
    **doc(InstitutionView, "not_found", "invalid_phone"),
)
async def edit_contact(
    institution_id: Id, body: ContactIn, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """The institution's own staff update its contact details (and nothing else)."""
    return await svc.institutions.call(
        request,
        "PATCH",
        f"/v1/institutions/{institution_id}/contact",
        user,
        json=body.model_dump(mode="json", exclude_unset=True),
    )


@router.post(
    "/institutions/{institution_id}/approvals",
    tags=["institutions"],
    **doc(InstitutionView, "not_found", "conflict"),
)
async def change_approval(
    institution_id: Id, body: ApprovalIn, user: Government, request: Request, svc: Services
) -> Any:
    """Approve an occupation and level with its validity period, or change the period
    (set `valid_until` to withdraw it)."""
    return await svc.institutions.call(
        request,
        "POST",
        f"/v1/institutions/{institution_id}/approvals",
        user,
        json=body.model_dump(mode="json", exclude_unset=True),
    )


@router.get(
    "/institutions/{institution_id}/events", tags=["institutions"], **doc(EventList, "not_found")
)
async def institution_history(
    institution_id: Id, user: Staff, request: Request, svc: Services
) -> Any:
    """The institution's history: every change with actor, time, reason and details
    (government, or the institution's own staff)."""
    return await svc.institutions.call(
        request, "GET", f"/v1/institutions/{institution_id}/events", user
    )


async def _transition(
    request: Request, svc: Services, user: Any, institution_id: Id, action: str, body: Any
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
    **doc(InstitutionView, "not_found", "invalid_state"),
)
async def suspend_institution(
    institution_id: Id, body: Suspension, user: Government, request: Request, svc: Services
) -> Any:
    """Suspend an institution: it takes no new offerings or acceptances."""
    return await _transition(request, svc, user, institution_id, "suspend", body)


@router.post(
    "/institutions/{institution_id}/reinstate",
    tags=["institutions"],
    **doc(InstitutionView, "not_found", "invalid_state"),
)
async def reinstate_institution(
    institution_id: Id, body: OptionalReason, user: Government, request: Request, svc: Services
) -> Any:
    """Lift a suspension."""
    return await _transition(request, svc, user, institution_id, "reinstate", body)


@router.post(
    "/institutions/{institution_id}/revoke",
    tags=["institutions"],
    **doc(Revoked, "not_found", "invalid_state"),
)
async def revoke_institution(
    institution_id: Id, body: Reason, user: Government, request: Request, svc: Services
) -> Any:
    """Revoke an institution (final: the exit mechanism). The answer lists its orders still
    open, for government to cancel or move (also at `GET /institutions/{id}/open-orders`)."""
    revoked: dict[str, Any] = await _transition(request, svc, user, institution_id, "revoke", body)
    try:
        revoked["affected_orders"] = await open_orders(request, svc, user, institution_id)
    except DomainError:
        # The revocation stands; the list can be read again from the open-orders route.
        revoked["affected_orders"] = None
    return revoked


@router.post(
    "/institutions/{institution_id}/staff",
    tags=["institutions"],
    **doc(StaffAccount, "not_found", "conflict", status=201),
)
async def create_staff(
    institution_id: Id,
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
