"""HTTP routes of orders: selection, the lifecycle, attendance and evaluation outcomes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from plumbing.db import ReadSessionDep, SessionDep
from plumbing.errors import wants_english
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.config import Settings
from services.enrolment.deps import CipherDep, SettingsDep
from services.enrolment.eligibility.schemas import DecisionPublic
from services.enrolment.learning.anomalies import Thresholds
from services.enrolment.orders import delivery, expiry, lifecycle, selection, service, training
from services.enrolment.orders.schemas import (
    AttendanceCreate,
    AttendancePublic,
    EvaluationOutcome,
    LearningSessionCreate,
    OptionalReason,
    OrderCreate,
    OrderPublic,
    OrderStatus,
    Reason,
    SweepResult,
    Timeline,
)

router = APIRouter(prefix="/v1/orders", tags=["orders"])


@router.post("", status_code=201, response_model=OrderPublic)
async def select_offering(
    body: OrderCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    cipher: CipherDep,
) -> OrderPublic:
    """Order 3 (劳动者选单): the worker takes a seat in a listed offering."""
    return await selection.select_offering(session, cipher, principal, body, wants_english(request))


@router.post("/expire", response_model=SweepResult)
async def expire_overdue(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> SweepResult:
    """The expiry sweep: orders not accepted in time and requests open too long expire."""
    return await expiry.sweep(
        session, principal, settings.order_accept_days, settings.request_open_days
    )


@router.get("", response_model=Page[OrderPublic])
async def list_orders(
    principal: CurrentPrincipal,
    session: ReadSessionDep,
    status: OrderStatus | None = None,
    offering_id: int | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OrderPublic]:
    """Orders in the caller's scope."""
    return await service.list_orders(session, principal, status, offering_id, limit, offset)


@router.get("/{order_id}", response_model=OrderPublic)
async def get_order(
    order_id: int, principal: CurrentPrincipal, session: ReadSessionDep
) -> OrderPublic:
    """One order, if it is in the caller's scope."""
    return await service.get_order(session, principal, order_id)


@router.post("/{order_id}/cancel", response_model=OrderPublic)
async def cancel_order(
    order_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: OptionalReason | None = None,
) -> OrderPublic:
    """The worker cancels before acceptance; the seat and the yearly slot free up."""
    reason = body.reason if body is not None else None
    return await lifecycle.cancel_order(session, principal, order_id, reason)


@router.post("/{order_id}/accept", response_model=OrderPublic)
async def accept_order(
    order_id: int, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> OrderPublic:
    """Order 4 (机构接单): the order's institution accepts the worker, in time."""
    return await lifecycle.accept_order(session, principal, order_id, settings.order_accept_days)


@router.post("/{order_id}/reject", response_model=OrderPublic)
async def reject_order(
    order_id: int, body: Reason, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """The order's institution turns the worker down, with a reason."""
    return await lifecycle.reject_order(session, principal, order_id, body.reason)


@router.post("/{order_id}/attendance", status_code=201, response_model=AttendancePublic)
async def record_attendance(
    order_id: int,
    body: AttendanceCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> AttendancePublic:
    """Record hours: classroom by the institution, pc/app/wechat by the worker."""
    return await training.record_attendance(session, principal, order_id, body, _limits(settings))


@router.post("/{order_id}/learning-sessions", status_code=201, response_model=AttendancePublic)
async def record_learning_session(
    order_id: int,
    body: LearningSessionCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> AttendancePublic:
    """An online learning session from pc, app or WeChat (start, end, device)."""
    return await training.record_learning_session(
        session, principal, order_id, body, _limits(settings)
    )


@router.post("/{order_id}/drop", response_model=OrderPublic)
async def drop_order(
    order_id: int, body: Reason, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """The institution records that the worker dropped out, with a reason."""
    return await lifecycle.drop_order(session, principal, order_id, body.reason)


@router.post("/{order_id}/confirm", response_model=OrderPublic)
async def confirm_delivery(
    order_id: int, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """The worker confirms the training was delivered (needed before a claim)."""
    return await delivery.confirm_delivery(session, principal, order_id)


@router.post("/{order_id}/dispute", response_model=OrderPublic)
async def dispute_delivery(
    order_id: int, body: Reason, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """The worker disputes that the training was delivered, with a reason."""
    return await delivery.dispute_delivery(session, principal, order_id, body.reason)


@router.get("/{order_id}/timeline", response_model=Timeline)
async def order_timeline(
    order_id: int, principal: CurrentPrincipal, session: SessionDep
) -> Timeline:
    """Every transition of the order with actor, time and reason."""
    return await delivery.timeline(session, principal, order_id)


@router.get("/{order_id}/decision", response_model=DecisionPublic)
async def order_decision(
    order_id: int, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> DecisionPublic:
    """The eligibility decision of the order, replayed from the facts stored with it."""
    return await delivery.decision(session, principal, order_id, wants_english(request))


def _limits(settings: Settings) -> Thresholds:
    return Thresholds(settings.max_daily_learning_hours, settings.device_max_workers)


@router.post("/{order_id}/complete", response_model=OrderPublic)
async def complete_order(
    order_id: int, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> OrderPublic:
    """Completion (结业) when the attended hours reach the completion ratio."""
    return await lifecycle.complete_order(session, principal, order_id, settings.completion_ratio)


@router.post("/{order_id}/evaluation", response_model=OrderPublic)
async def record_evaluation(
    order_id: int, body: EvaluationOutcome, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """The evaluation outcome: certified or failed; repeating it is harmless."""
    return await lifecycle.record_evaluation(session, principal, order_id, body)
