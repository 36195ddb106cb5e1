"""Orders 3 (selection) and 4 (acceptance), training, and evaluation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gateway.clients import Services
from gateway.deps import Evaluator, InstitutionStaff, OrderReader, Worker, roles
from gateway.flow.certificates import held_certificates
from gateway.flow.enrolment_schemas import LearningRecord, TimedAttendanceIn
from gateway.flow.institutions import active_institution, offering_takes_orders
from gateway.flow.schemas import (
    Certificate,
    EvaluationOutcome,
    OptionalReason,
    Order,
    OrderIn,
    Reason,
    ResultIn,
)
from gateway.flow.supervision import require_approved_class_plan
from gateway.problems import doc
from plumbing.errors import DomainError, InvalidState
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
    await offering_takes_orders(request, svc, user, body.offering_id)
    payload = body.model_dump(mode="json") | {
        "held_certificates": await held_certificates(request, svc, user)
    }
    return await svc.enrolment.call(request, "POST", "/v1/orders", user, json=payload)


@router.get("/orders", tags=["orders"], **doc(Page[Order]))
async def list_orders(
    user: OrderReader,
    request: Request,
    svc: Services,
    status: str | None = Query(None, max_length=16),
    offering_id: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> Any:
    """Orders: the caller's own, or those in the caller's scope."""
    params = {"status": status, "offering_id": offering_id, "limit": limit, "offset": offset}
    return await svc.enrolment.call(request, "GET", "/v1/orders", user, params=params)


@router.get("/orders/{order_id}", tags=["orders"], **doc(Order, "not_found"))
async def get_order(order_id: int, user: OrderReader, request: Request, svc: Services) -> Any:
    """One order, if it is in the caller's scope."""
    return await svc.enrolment.call(request, "GET", f"/v1/orders/{order_id}", user)


@router.post(
    "/orders/{order_id}/cancel", tags=["orders"], **doc(Order, "not_found", "invalid_state")
)
async def cancel_order(
    order_id: int, user: Worker, request: Request, svc: Services, body: OptionalReason | None = None
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
    order_id: int, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """Order 4 (机构接单): the offering's institution accepts the worker."""
    order = await svc.enrolment.call(request, "GET", f"/v1/orders/{order_id}", user)
    await active_institution(request, svc, user, order["institution_id"])
    return await svc.enrolment.call(request, "POST", f"/v1/orders/{order_id}/accept", user)


@router.post(
    "/orders/{order_id}/reject", tags=["orders"], **doc(Order, "not_found", "invalid_state")
)
async def reject_order(
    order_id: int, body: Reason, user: InstitutionStaff, request: Request, svc: Services
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
    order_id: int, body: TimedAttendanceIn, user: Attender, request: Request, svc: Services
) -> Any:
    """Record hours: classroom by the institution, pc/app/wechat by the worker; optionally
    a timed session (`started_at`, `ended_at`, `device_id`); only once the class-start plan
    is approved. The first record starts the training (`in_training`); anomalies raise
    flags on the order."""
    await require_approved_class_plan(request, svc, user, order_id)
    return await svc.enrolment.call(
        request,
        "POST",
        f"/v1/orders/{order_id}/attendance",
        user,
        json=body.model_dump(mode="json", exclude_none=True),
    )


@router.post(
    "/orders/{order_id}/complete",
    tags=["training"],
    **doc(Order, "not_found", "invalid_state", "insufficient_attendance"),
)
async def complete_order(
    order_id: int, user: InstitutionStaff, request: Request, svc: Services
) -> Any:
    """Completion (结业) once attended hours reach 80 % of the offering's hours."""
    return await svc.enrolment.call(request, "POST", f"/v1/orders/{order_id}/complete", user)


@router.post(
    "/evaluations/results",
    tags=["evaluation"],
    **doc(
        EvaluationOutcome,
        "not_found",
        "invalid_state",
        "conflict",
        "evaluation_body_inactive",
        status=201,
    ),
)
async def record_result(body: ResultIn, user: Evaluator, request: Request, svc: Services) -> Any:
    """Record an evaluation result: a pass issues a certificate; the order becomes certified
    or failed. Safe to repeat if a step was unavailable."""
    order = await svc.enrolment.call(request, "GET", f"/v1/orders/{body.order_id}", user)
    if order["status"] not in ("completed", "certified", "failed"):
        raise InvalidState(order["status"], "record an evaluation result")
    result = await svc.evaluation.call(
        request,
        "POST",
        "/v1/results",
        user,
        json={
            "order_id": body.order_id,
            "worker_id": order["worker_id"],
            "occupation_code": order["occupation_code"],
            "level": order["level"],
            "passed": body.passed,
            "score": body.score,
            "holder_name_masked": order["worker_name_masked"],
        },
    )
    updated = await svc.enrolment.call(
        request,
        "POST",
        f"/v1/orders/{body.order_id}/evaluation",
        user,
        json={
            "passed": result["passed"],
            "certificate_number": result["certificate_number"],
            "result_id": result["id"],
        },
    )
    return EvaluationOutcome(
        result_id=result["id"],
        order_id=body.order_id,
        passed=result["passed"],
        score=result["score"],
        certificate_number=result["certificate_number"],
        order_status=updated["status"],
    ).model_dump(mode="json")


@router.get(
    "/certificates/{number}", tags=["evaluation"], **doc(Certificate, "not_found", auth=False)
)
async def verify_certificate(number: str, request: Request, svc: Services) -> Any:
    """Public verification of a certificate; no login. The holder's name is masked."""
    if not 4 <= len(number) <= 64:
        raise DomainError("not_found", f"certificate {number} does not exist")
    return await svc.evaluation.call(request, "GET", f"/v1/certificates/{number}")
