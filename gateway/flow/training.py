"""Training and after: online learning sessions, drop-outs, the worker's confirmation of
delivery, the order's timeline and eligibility decision, and anomaly flags."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gateway.clients import Services
from gateway.deps import Government, InstitutionStaff, OrderReader, Worker, roles
from gateway.flow.enrolment_schemas import (
    Decision,
    DeliveredOrder,
    Flag,
    FlagResolutionIn,
    LearningRecord,
    LearningSessionIn,
    Timeline,
)
from gateway.flow.schemas import Reason
from gateway.flow.supervision import require_approved_class_plan
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")
FlagReader = Annotated[Principal, Depends(roles("government", "admin", "finance", "worker"))]


@router.post(
    "/orders/{order_id}/learning-sessions",
    tags=["training"],
    **doc(LearningRecord, "not_found", "invalid_state", "class_plan_not_approved", status=201),
)
async def record_learning_session(
    order_id: Id, body: LearningSessionIn, user: Worker, request: Request, svc: Services
) -> Any:
    """An online learning session from pc, app or WeChat (三端同步学习): its length counts
    towards the order's one learning total; anomalies raise flags. Only once the class-start
    plan is approved, as for classroom attendance."""
    await require_approved_class_plan(request, svc, user, order_id)
    return await svc.enrolment.call(
        request,
        "POST",
        f"/v1/orders/{order_id}/learning-sessions",
        user,
        json=body.model_dump(mode="json"),
    )


@router.post(
    "/orders/{order_id}/drop",
    tags=["training"],
    **doc(DeliveredOrder, "not_found", "invalid_state"),
)
async def drop_order(
    order_id: Id, body: Reason, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """The institution records that an accepted worker dropped out, with a reason."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/orders/{order_id}/drop", user, json=body.model_dump(mode="json")
    )


@router.post(
    "/orders/{order_id}/confirm",
    tags=["training"],
    **doc(DeliveredOrder, "not_found", "invalid_state", "delivery_already_recorded"),
)
async def confirm_delivery(order_id: Id, user: Worker, request: Request, svc: Services) -> Any:
    """The worker confirms the training was delivered; no claim can be made before this."""
    return await svc.enrolment.relay(
        request, "POST", f"/v1/orders/{order_id}/confirm", user, status_code=200
    )


@router.post(
    "/orders/{order_id}/dispute",
    tags=["training"],
    **doc(DeliveredOrder, "not_found", "invalid_state", "delivery_already_recorded"),
)
async def dispute_delivery(
    order_id: Id, body: Reason, user: Worker, request: Request, svc: Services
) -> Any:
    """The worker disputes that the training was delivered, with a reason."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/orders/{order_id}/dispute", user, json=body.model_dump(mode="json")
    )


@router.get("/orders/{order_id}/timeline", tags=["orders"], **doc(Timeline, "not_found"))
async def order_timeline(order_id: Id, user: OrderReader, request: Request, svc: Services) -> Any:
    """Every transition of the order, with actor, time and reason."""
    return await svc.enrolment.call(request, "GET", f"/v1/orders/{order_id}/timeline", user)


@router.get("/orders/{order_id}/decision", tags=["orders"], **doc(Decision, "not_found"))
async def order_decision(order_id: Id, user: OrderReader, request: Request, svc: Services) -> Any:
    """The order's eligibility decision: the rule version and facts stored at selection,
    and the rules replayed on them (for auditors)."""
    return await svc.enrolment.call(request, "GET", f"/v1/orders/{order_id}/decision", user)


@router.get("/flags", tags=["training"], **doc(Page[Flag]))
async def list_flags(
    user: FlagReader,
    request: Request,
    svc: Services,
    status: str | None = Query(None, max_length=16),
    order_id: Id | None = None,
    kind: str | None = Query(None, max_length=32),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Anomaly flags on learning records in the caller's scope."""
    params = {
        "status": status,
        "order_id": order_id,
        "kind": kind,
        "limit": limit,
        "offset": offset,
    }
    return await svc.enrolment.call(request, "GET", "/v1/flags", user, params=params)


@router.post(
    "/flags/{flag_id}/resolve", tags=["training"], **doc(Flag, "not_found", "invalid_state")
)
async def resolve_flag(
    flag_id: Id, body: FlagResolutionIn, user: Government, request: Request, svc: Services
) -> Any:
    """Government clears or confirms an open flag, with a reason; only then can the order
    be claimed."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/flags/{flag_id}/resolve", user, json=body.model_dump(mode="json")
    )
