"""HTTP routes of the institution catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal, Principal
from services.institutions.fields import Level, OccupationCode, UnitCode
from services.institutions.institution import service
from services.institutions.institution.schemas import (
    ApprovalChange,
    ContactEdit,
    EventList,
    InstitutionCreate,
    InstitutionEdit,
    InstitutionEventPublic,
    InstitutionFull,
    InstitutionPublic,
    InstitutionStatus,
    Kind,
    OptionalReason,
    Revocation,
    Status,
    Suspension,
)

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])
View = InstitutionFull | InstitutionPublic


async def optional_principal(request: Request) -> Principal | None:
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


@router.post("", status_code=201, response_model=View)
async def register_institution(
    body: InstitutionCreate, principal: CurrentPrincipal, session: SessionDep
) -> View:
    """Register a training institution with its approved occupations and levels."""
    return await service.register_institution(session, principal, body)


@router.get("", response_model=Page[View])
async def list_institutions(
    session: SessionDep,
    principal: MaybePrincipal,
    unit_code: UnitCode | None = None,
    status: Status | None = None,
    kind: Kind | None = None,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    on_watch: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[View]:
    """The institution catalogue, filtered by unit, status, kind, approved trade or name."""
    return await service.list_institutions(
        session,
        principal,
        unit_code=unit_code,
        status=status,
        kind=kind,
        occupation_code=occupation_code,
        level=level,
        q=q,
        on_watch=on_watch,
        limit=limit,
        offset=offset,
    )


@router.get("/{institution_id}", response_model=View)
async def get_institution(
    institution_id: int, session: SessionDep, principal: MaybePrincipal
) -> View:
    """One institution: the full record for government, the public entry for others."""
    return await service.view(session, institution_id, principal)


@router.get("/{institution_id}/status", response_model=InstitutionStatus)
async def get_institution_status(institution_id: int, session: SessionDep) -> InstitutionStatus:
    """The institution's status alone (the gateway's check before a selection or an
    acceptance); not_found as for the whole record."""
    return await service.status_of(session, institution_id)


@router.patch("/{institution_id}", response_model=View)
async def edit_institution(
    institution_id: int, body: InstitutionEdit, principal: CurrentPrincipal, session: SessionDep
) -> View:
    """Government edits an institution's record (name, kind, address, licence, capacity...)."""
    return await service.edit_institution(session, principal, institution_id, body)


@router.patch("/{institution_id}/contact", response_model=View)
async def edit_contact(
    institution_id: int, body: ContactEdit, principal: CurrentPrincipal, session: SessionDep
) -> View:
    """The institution's own staff (or government) update its contact details."""
    return await service.edit_contact(session, principal, institution_id, body)


@router.post("/{institution_id}/approvals", response_model=View)
async def change_approval(
    institution_id: int, body: ApprovalChange, principal: CurrentPrincipal, session: SessionDep
) -> View:
    """Approve an occupation and level, or change an approval's validity period."""
    return await service.change_approval(session, principal, institution_id, body)


@router.post("/{institution_id}/suspend", response_model=View)
async def suspend_institution(
    institution_id: int, body: Suspension, principal: CurrentPrincipal, session: SessionDep
) -> View:
    """Suspend an active institution: it takes no new offerings or acceptances."""
    return await service.transition(
        session, principal, institution_id, "suspend", reason=body.reason, until=body.until
    )


@router.post("/{institution_id}/reinstate", response_model=View)
async def reinstate_institution(
    institution_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: OptionalReason | None = None,
) -> View:
    """Lift a suspension."""
    reason = body.reason if body is not None else None
    return await service.transition(session, principal, institution_id, "reinstate", reason=reason)


@router.post("/{institution_id}/revoke", response_model=View)
async def revoke_institution(
    institution_id: int, body: Revocation, principal: CurrentPrincipal, session: SessionDep
) -> View:
    """Revoke an active or suspended institution (final: the exit mechanism)."""
    return await service.transition(
        session, principal, institution_id, "revoke", reason=body.reason
    )


@router.get("/{institution_id}/events", response_model=EventList)
async def list_institution_events(
    institution_id: int, principal: CurrentPrincipal, session: SessionDep
) -> EventList:
    """The history of an institution: every change, with actor, time, reason and details."""
    rows = await service.list_events(session, principal, institution_id)
    items = [InstitutionEventPublic.model_validate(r) for r in rows]
    return EventList(items=items, total=len(items))
