"""Orders 3 (selection) and 4 (acceptance), and training (evaluation: flow/evaluation.py)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gateway.clients import Services, UpstreamProblem
from gateway.deps import InstitutionStaff, OrderReader, Worker, roles
from gateway.flow.certificates import held_certificates
from gateway.flow.enrolment_schemas import LearningRecord, TimedAttendanceIn
from gateway.flow.institutions import institution_takes_orders, offering_takes_orders
from gateway.flow.schemas import (
    OptionalReason,
    Order,
    OrderIn,
    Reason,
)
from gateway.flow.supervision import require_approved_class_plan
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.errors import DomainError
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")
Attender = Annotated[Principal, Depends(roles("institution", "worker"))]


@router.post(
    "/orders",
    tags=["orders"],
    **doc(
        Order,
        "offering_full",
        "yearly_cap_reached",
        "occupation_level_already_subsidised",
        "not_eligible",
        "profile_required",
        "invalid_state",
        "not_found",
        "institution_inactive",
        status=201,
    ),
)
async def select_offering(body: OrderIn, user: Worker, request: Request, svc: Services) -> Any:
    """Order 3 (劳动者选单): the worker takes a seat in a listed offering. The plan's rules
    apply, including the certificates the worker already holds (read from evaluation)."""
    # The two reads are independent: made at once, the step waits for the slower only.
    # The offering's verdict comes first, as when they were made one after the other.
    takes_orders, certificates = await asyncio.gather(
        offering_takes_orders(request, svc, user, body.offering_id),
        held_certificates(request, svc, user),
        return_exceptions=True,
    )
    for outcome in (takes_orders, certificates):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(certificates, list)
    payload = body.model_dump(mode="json") | {"held_certificates": certificates}
    return await svc.enrolment.relay(
        request, "POST", "/v1/orders", user, json=payload, status_code=201
    )


@router.get("/orders", tags=["orders"], **doc(Page[Order]))
async def list_orders(
    user: OrderReader,
    request: Request,
    svc: Services,
    status: str | None = Query(None, max_length=16),
    offering_id: Id | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Orders: the caller's own, or those in the caller's scope."""
    params = {"status": status, "offering_id": offering_id, "limit": limit, "offset": offset}
    return await svc.enrolment.relay(request, "GET", "/v1/orders", user, params=params)


@router.get("/orders/{order_id}", tags=["orders"], **doc(Order, "not_found"))
async def get_order(order_id: Id, user: OrderReader, request: Request, svc: Services) -> Any:
    """One order, if it is in the caller's scope."""
    return await svc.enrolment.relay(request, "GET", f"/v1/orders/{order_id}", user)


@router.post(
    "/orders/{order_id}/cancel", tags=["orders"], **doc(Order, "not_found", "invalid_state")
)
async def cancel_order(
    order_id: Id, user: Worker, request: Request, svc: Services, body: OptionalReason | None = None
) -> Any:
    """The worker cancels before the institution accepts; the seat and the yearly slot free up."""
    payload = (body or OptionalReason()).model_dump(mode="json")
    return await svc.enrolment.call(
        request, "POST", f"/v1/orders/{order_id}/cancel", user, json=payload
    )


@router.post(
    "/orders/{order_id}/accept",
    tags=["orders"],
    **doc(Order, "not_found", "invalid_state", "institution_inactive"),
)
async def accept_order(
    order_id: Id, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """Order 4 (机构接单): the offering's institution accepts the worker."""
    path = f"/v1/orders/{order_id}"
    if user.institution_id is None:
        order = await svc.enrolment.call(request, "GET", path, user)
        await institution_takes_orders(request, svc, user, order["institution_id"])
    else:
        # Institution staff see only their institution's orders, so the order's institution
        # is the caller's: its status is checked without reading the order first. Only a
        # refusal reads the order, so that an order out of scope still answers not_found
        # before institution_inactive, as when the order was read first.
        try:
            await institution_takes_orders(request, svc, user, user.institution_id)
        except (DomainError, UpstreamProblem):
            await svc.enrolment.call(request, "GET", path, user)
            raise
    return await svc.enrolment.relay(request, "POST", f"{path}/accept", user)


@router.post(
    "/orders/{order_id}/reject", tags=["orders"], **doc(Order, "not_found", "invalid_state")
)
async def reject_order(
    order_id: Id, body: Reason, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """The institution turns the order down, with a reason; the seat frees up."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/orders/{order_id}/reject", user, json=body.model_dump(mode="json")
    )


@router.post(
    "/orders/{order_id}/attendance",
    tags=["training"],
    **doc(LearningRecord, "not_found", "invalid_state", "class_plan_not_approved", status=201),
)
async def record_attendance(
    order_id: Id, body: TimedAttendanceIn, user: Attender, request: Request, svc: Services
) -> Any:
    """Record hours: classroom by the institution, pc/app/wechat by the worker; optionally
    a timed session (`started_at`, `ended_at`, `device_id`); only once the class-start plan
    is approved. The first record starts the training (`in_training`); anomalies raise
    flags on the order."""
    await require_approved_class_plan(request, svc, user, order_id)
    return await svc.enrolment.relay(
        request,
        "POST",
        f"/v1/orders/{order_id}/attendance",
        user,
        json=body.model_dump(mode="json", exclude_none=True),
        status_code=201,
    )


@router.post(
    "/orders/{order_id}/complete",
    tags=["training"],
    **doc(Order, "not_found", "invalid_state", "insufficient_attendance"),
)
async def complete_order(
    order_id: Id, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """Completion (结业) once attended hours reach 80 % of the offering's hours."""
    return await svc.enrolment.relay(
        request, "POST", f"/v1/orders/{order_id}/complete", user, status_code=200
    )
