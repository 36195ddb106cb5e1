"""HTTP routes of entitlements."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.entitlement import service
from services.evaluation.entitlement.schemas import EntitlementPublic, Status

router = APIRouter(prefix="/v1/entitlements", tags=["entitlements"])


@router.get("", response_model=Page[EntitlementPublic])
async def list_entitlements(
    principal: CurrentPrincipal,
    session: SessionDep,
    order_id: int | None = None,
    worker_id: int | None = None,
    body_id: int | None = None,
    status: Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EntitlementPublic]:
    """Evaluation-subsidy entitlements (government, finance; a worker its own)."""
    rows, total = await service.list_entitlements(
        session,
        principal,
        order_id=order_id,
        worker_id=worker_id,
        body_id=body_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    items = [EntitlementPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
