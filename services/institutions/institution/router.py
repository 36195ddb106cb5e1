"""HTTP routes of the institution catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.institutions.fields import Level, OccupationCode, UnitCode
from services.institutions.institution import service
from services.institutions.institution.schemas import (
    EventList,
    InstitutionCreate,
    InstitutionEventPublic,
    InstitutionPublic,
    OptionalReason,
    Revocation,
    Status,
    Suspension,
)

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])


@router.post("", status_code=201, response_model=InstitutionPublic)
async def register_institution(
    body: InstitutionCreate, principal: CurrentPrincipal, session: SessionDep
) -> InstitutionPublic:
    """Register a training institution with its approved occupations and levels."""
    return await service.register_institution(session, principal, body)


@router.get("", response_model=Page[InstitutionPublic])
async def list_institutions(
    session: SessionDep,
    unit_code: UnitCode | None = None,
    status: Status | None = None,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[InstitutionPublic]:
    """The institution catalogue, filtered by unit, status, approved occupation/level or name."""
    return await service.list_institutions(
        session,
        unit_code=unit_code,
        status=status,
        occupation_code=occupation_code,
        level=level,
        q=q,
        limit=limit,
        offset=offset,
    )


@router.get("/{institution_id}", response_model=InstitutionPublic)
async def get_institution(institution_id: int, session: SessionDep) -> InstitutionPublic:
    """One institution with its approvals and status."""
    return await service.get_institution(session, institution_id)


@router.post("/{institution_id}/suspend", response_model=InstitutionPublic)
async def suspend_institution(
    institution_id: int, body: Suspension, principal: CurrentPrincipal, session: SessionDep
) -> InstitutionPublic:
    """Suspend an active institution: it takes no new offerings or acceptances."""
    return await service.transition(
        session, principal, institution_id, "suspend", reason=body.reason, until=body.until
    )


@router.post("/{institution_id}/reinstate", response_model=InstitutionPublic)
async def reinstate_institution(
    institution_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: OptionalReason | None = None,
) -> InstitutionPublic:
    """Lift a suspension."""
    reason = body.reason if body is not None else None
    return await service.transition(session, principal, institution_id, "reinstate", reason=reason)


@router.post("/{institution_id}/revoke", response_model=InstitutionPublic)
async def revoke_institution(
    institution_id: int, body: Revocation, principal: CurrentPrincipal, session: SessionDep
) -> InstitutionPublic:
    """Revoke an active or suspended institution (final: the exit mechanism)."""
    return await service.transition(
        session, principal, institution_id, "revoke", reason=body.reason
    )


@router.get("/{institution_id}/events", response_model=EventList)
async def list_institution_events(
    institution_id: int, principal: CurrentPrincipal, session: SessionDep
) -> EventList:
    """The registration and status history of an institution (government, admin)."""
    rows = await service.list_events(session, principal, institution_id)
    items = [InstitutionEventPublic.model_validate(r) for r in rows]
    return EventList(items=items, total=len(items))
