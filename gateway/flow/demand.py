"""Demand: the worker's notification feed, withdrawing requests, the government's demand
catalogue, withdrawing offerings, and the expiry sweep."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, Request

from gateway.clients import Services
from gateway.deps import Government, Worker, check_unit_scope
from gateway.flow.enrolment_schemas import (
    DemandCatalogue,
    MarkedRead,
    Notification,
    NotificationFeed,
    SweepResult,
    Withdrawal,
    WithdrawalIn,
)
from gateway.flow.schemas import TrainingRequest
from gateway.problems import doc
from gateway.strict import MAX_ID, Id

router = APIRouter(prefix="/api/v1")
# Trades named per answer; beyond this the rows still come, without names.
MAX_NAMED = 50


@router.get("/me/notifications", tags=["workers"], **doc(NotificationFeed))
async def notifications(
    user: Worker,
    request: Request,
    svc: Services,
    unread: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """The worker's notifications, newest first, with the unread count (the app and the
    WeChat front end poll this)."""
    params = {"unread": unread, "limit": limit, "offset": offset}
    return await svc.enrolment.call(
        request, "GET", "/v1/workers/me/notifications", user, params=params
    )


@router.post("/me/notifications/read-all", tags=["workers"], **doc(MarkedRead))
async def mark_all_read(user: Worker, request: Request, svc: Services) -> Any:
    """Mark every notification read."""
    return await svc.enrolment.call(request, "POST", "/v1/workers/me/notifications/read-all", user)


@router.post(
    "/me/notifications/{notification_id}/read", tags=["workers"], **doc(Notification, "not_found")
)
async def mark_read(notification_id: Id, user: Worker, request: Request, svc: Services) -> Any:
    """Mark one notification read."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/workers/me/notifications/{notification_id}/read", user
    )


@router.post(
    "/requests/{request_id}/withdraw",
    tags=["workers"],
    **doc(TrainingRequest, "not_found", "invalid_state"),
)
async def withdraw_request(request_id: Id, user: Worker, request: Request, svc: Services) -> Any:
    """The worker withdraws a request that is still open or matched."""
    return await svc.enrolment.call(request, "POST", f"/v1/requests/{request_id}/withdraw", user)


@router.get("/demand-catalogue", tags=["catalogues"], **doc(DemandCatalogue, "unknown_unit"))
async def demand_catalogue(
    user: Government,
    request: Request,
    svc: Services,
    occupation_code: str | None = Query(None, min_length=1, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    unit_code: str | None = Query(None, max_length=32),
) -> Any:
    """The worker training-demand catalogue (劳动者培训需求目录, PLAN §二.(二).10): live
    requests by occupation, level and unit, and how many a listed offering already matches.
    A county officer sees its own unit."""
    if unit_code is not None:
        check_unit_scope(user, unit_code)
    params = {"occupation_code": occupation_code, "level": level, "unit_code": unit_code}
    demand = await svc.enrolment.call(
        request, "GET", "/v1/requests/aggregates", user, params=params
    )
    # Occupation names come from the training catalogues (institutions), one call per trade.
    codes = sorted({row["occupation_code"] for row in demand["items"]})[:MAX_NAMED]
    pages = await asyncio.gather(
        *(
            svc.institutions.call(
                request,
                "GET",
                "/v1/catalogue/items",
                user,
                params={"occupation_code": code, "limit": 200},
            )
            for code in codes
        )
    )
    names = {item["occupation_code"]: item["occupation_name"] for p in pages for item in p["items"]}
    for row in demand["items"]:
        row["occupation_name"] = names.get(row["occupation_code"])
    return demand


@router.post(
    "/offerings/{offering_id}/withdraw",
    tags=["offerings"],
    **doc(Withdrawal, "not_found", "invalid_state"),
)
async def withdraw_offering(
    offering_id: Id, body: WithdrawalIn, user: Government, request: Request, svc: Services
) -> Any:
    """Withdraw a listed offering: its open orders are cancelled with the reason, their seats
    and yearly slots released, and each worker notified."""
    return await svc.enrolment.call(
        request,
        "POST",
        f"/v1/offerings/{offering_id}/withdraw",
        user,
        json=body.model_dump(mode="json"),
    )


@router.post("/maintenance/expire", tags=["orders"], **doc(SweepResult))
async def expire_overdue(user: Government, request: Request, svc: Services) -> Any:
    """The expiry sweep (run it from cron): orders not accepted within
    JINENG_ORDER_ACCEPT_DAYS expire and free their seats; requests open longer than
    JINENG_REQUEST_OPEN_DAYS expire."""
    return await svc.enrolment.call(request, "POST", "/v1/orders/expire", user)
