"""HTTP routes of anomaly flags on learning records."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.learning import service
from services.enrolment.learning.models import FlagKind, FlagStatus
from services.enrolment.learning.schemas import FlagPublic, FlagResolution

router = APIRouter(prefix="/v1/flags", tags=["flags"])


@router.get("", response_model=Page[FlagPublic])
async def list_flags(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: FlagStatus | None = None,
    order_id: int | None = None,
    kind: FlagKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[FlagPublic]:
    """Anomaly flags in the caller's scope."""
    return await service.list_flags(
        session,
        principal,
        status=status,
        order_id=order_id,
        kind=kind,
        limit=limit,
        offset=offset,
    )


@router.post("/{flag_id}/resolve", response_model=FlagPublic)
async def resolve_flag(
    flag_id: int, body: FlagResolution, principal: CurrentPrincipal, session: SessionDep
) -> FlagPublic:
    """Government clears or confirms an open flag, with a reason."""
    return await service.resolve_flag(session, principal, flag_id, body)
