"""HTTP routes of the worker's notification feed."""

from __future__ import annotations

from fastapi import APIRouter, Request

from plumbing.db import SessionDep
from plumbing.errors import wants_english
from plumbing.pagination import Limit, Offset
from plumbing.principal import CurrentPrincipal
from services.enrolment.notifications import service
from services.enrolment.notifications.schemas import (
    MarkedRead,
    NotificationPage,
    NotificationPublic,
)

router = APIRouter(prefix="/v1/workers/me/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage)
async def list_notifications(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    unread: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> NotificationPage:
    """The worker's notifications, newest first (only unread ones with `unread=true`)."""
    return await service.list_notifications(
        session, principal, unread, limit, offset, wants_english(request)
    )


@router.post("/read-all", response_model=MarkedRead)
async def mark_all_read(principal: CurrentPrincipal, session: SessionDep) -> MarkedRead:
    """Mark every notification read."""
    return await service.mark_all_read(session, principal)


@router.post("/{notification_id}/read", response_model=NotificationPublic)
async def mark_read(
    notification_id: int, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> NotificationPublic:
    """Mark one notification read."""
    return await service.mark_read(session, principal, notification_id, wants_english(request))
