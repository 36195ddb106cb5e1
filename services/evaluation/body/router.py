"""HTTP routes for evaluation bodies."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.body import service
from services.evaluation.body.schemas import (
    BodyCreate,
    BodyPublic,
    Kind,
    OptionalReasonIn,
    ReasonIn,
    ScopeIn,
    Status,
)

router = APIRouter(prefix="/v1/bodies", tags=["bodies"])


@router.post("", status_code=201, response_model=BodyPublic)
async def create_body(
    body: BodyCreate, principal: CurrentPrincipal, session: SessionDep
) -> BodyPublic:
    """Register an evaluation body (government or admin)."""
    created = await service.create_body(session, principal, body)
    return await service.to_public(session, created)


@router.get("", response_model=Page[BodyPublic])
async def list_bodies(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Status | None = None,
    kind: Kind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BodyPublic]:
    """List evaluation bodies (any principal)."""
    rows, total = await service.list_bodies(
        session, status=status, kind=kind, limit=limit, offset=offset
    )
    items = [await service.to_public(session, r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{body_id}", response_model=BodyPublic)
async def get_body(body_id: int, principal: CurrentPrincipal, session: SessionDep) -> BodyPublic:
    """One evaluation body (any principal)."""
    return await service.to_public(session, await service.get_body(session, body_id))


@router.post("/{body_id}/suspend", response_model=BodyPublic)
async def suspend_body(
    body_id: int, body: ReasonIn, principal: CurrentPrincipal, session: SessionDep
) -> BodyPublic:
    """Suspend a body: active → suspended (government or admin)."""
    changed = await service.change_status(session, principal, body_id, "suspend", body.reason)
    return await service.to_public(session, changed)


@router.post("/{body_id}/reinstate", response_model=BodyPublic)
async def reinstate_body(
    body_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: OptionalReasonIn | None = None,
) -> BodyPublic:
    """Reinstate a body: suspended → active (government or admin)."""
    reason = body.reason if body else None
    changed = await service.change_status(session, principal, body_id, "reinstate", reason)
    return await service.to_public(session, changed)


@router.post("/{body_id}/revoke", response_model=BodyPublic)
async def revoke_body(
    body_id: int, body: ReasonIn, principal: CurrentPrincipal, session: SessionDep
) -> BodyPublic:
    """Revoke a body: active/suspended → revoked, final (government or admin)."""
    changed = await service.change_status(session, principal, body_id, "revoke", body.reason)
    return await service.to_public(session, changed)


@router.put("/{body_id}/scope", response_model=BodyPublic)
async def set_scope(
    body_id: int, body: ScopeIn, principal: CurrentPrincipal, session: SessionDep
) -> BodyPublic:
    """Replace the trades and levels the body may evaluate (government or admin)."""
    changed = await service.set_scope(session, principal, body_id, body.scope)
    return await service.to_public(session, changed)
