"""HTTP routes of orders: selection, the lifecycle, attendance and evaluation outcomes."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.deps import CipherDep, SettingsDep
from services.enrolment.orders import lifecycle, selection, service
from services.enrolment.orders.schemas import (
    AttendanceCreate,
    AttendancePublic,
    EvaluationOutcome,
    OptionalReason,
    OrderCreate,
    OrderPublic,
    OrderStatus,
    Reason,
)

router = APIRouter(prefix="/v1/orders", tags=["orders"])


@router.post("", status_code=201, response_model=OrderPublic)
async def select_offering(
    body: OrderCreate, principal: CurrentPrincipal, session: SessionDep, cipher: CipherDep
) -> OrderPublic:
    """Order 3 (劳动者选单): the worker takes a seat in a listed offering."""
    return await selection.select_offering(session, cipher, principal, body)


@router.get("", response_model=Page[OrderPublic])
async def list_orders(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: OrderStatus | None = None,
    offering_id: int | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OrderPublic]:
    """Orders in the caller's scope."""
    return await service.list_orders(session, principal, status, offering_id, limit, offset)


@router.get("/{order_id}", response_model=OrderPublic)
async def get_order(order_id: int, principal: CurrentPrincipal, session: SessionDep) -> OrderPublic:
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
    order_id: int, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """Order 4 (机构接单): the order's institution accepts the worker."""
    return await lifecycle.accept_order(session, principal, order_id)


@router.post("/{order_id}/reject", response_model=OrderPublic)
async def reject_order(
    order_id: int, body: Reason, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    """The order's institution turns the worker down, with a reason."""
    return await lifecycle.reject_order(session, principal, order_id, body.reason)


@router.post("/{order_id}/attendance", status_code=201, response_model=AttendancePublic)
async def record_attendance(
    order_id: int, body: AttendanceCreate, principal: CurrentPrincipal, session: SessionDep
) -> AttendancePublic:
    """Record hours: classroom by the institution, pc/app/wechat by the worker."""
    return await lifecycle.record_attendance(session, principal, order_id, body)


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
