"""Order 4 (机构接单) and training: cancel, accept, reject, attendance, completion, evaluation.
Each transition is a conditional UPDATE plus an event row, committed together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.errors import DomainError, Forbidden, InvalidState
from plumbing.principal import Principal
from services.enrolment.offerings import repository as offerings
from services.enrolment.orders import repository, rules
from services.enrolment.orders.models import AttendanceRecord, Order
from services.enrolment.orders.schemas import (
    AttendanceCreate,
    AttendancePublic,
    EvaluationOutcome,
    OrderPublic,
)
from services.enrolment.orders.service import (
    load_order,
    move,
    require_institution_of,
    require_owner,
    reread,
    to_public,
)


async def _free(session: AsyncSession, order: Order, to_status: str) -> None:
    # DESIGN "Rules": cancelled, rejected and failed orders free the yearly slot; orders
    # that never trained (cancelled, rejected) also give their seat back.
    await repository.free_year_slot(session, order.worker_id, order.subsidy_year)
    if to_status in rules.SEAT_FREEING:
        await repository.free_seat(session, order.offering_id)


async def cancel_order(
    session: AsyncSession, principal: Principal, order_id: int, reason: str | None
) -> OrderPublic:
    """The worker withdraws before the institution accepts."""
    order = await load_order(session, principal, order_id)
    require_owner(principal, order)
    await move(
        session, order, principal, "selected", "cancelled", "cancel", reason, {"reason": reason}
    )
    await _free(session, order, "cancelled")
    await session.commit()
    return await reread(session, order_id)


async def accept_order(session: AsyncSession, principal: Principal, order_id: int) -> OrderPublic:
    """Order 4: the offering's institution accepts the worker."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    await move(session, order, principal, "selected", "accepted", "accept")
    await session.commit()
    return await reread(session, order_id)


async def reject_order(
    session: AsyncSession, principal: Principal, order_id: int, reason: str
) -> OrderPublic:
    """The institution turns the worker down, with a reason."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    await move(
        session, order, principal, "selected", "rejected", "reject", reason, {"reason": reason}
    )
    await _free(session, order, "rejected")
    await session.commit()
    return await reread(session, order_id)


async def record_attendance(
    session: AsyncSession, principal: Principal, order_id: int, body: AttendanceCreate
) -> AttendancePublic:
    """Hours in class (recorded by the institution) or online (by the worker, three ends)."""
    order = await load_order(session, principal, order_id)
    if body.channel in rules.WORKER_CHANNELS:
        require_owner(principal, order)
    else:
        require_institution_of(principal, order)
    offering = await offerings.get_offering(session, order.offering_id)
    assert offering is not None
    assert order.id is not None
    if not offering.starts_on <= body.on <= offering.ends_on:
        raise DomainError(
            "validation_failed",
            f"on: must be within the offering's dates {offering.starts_on}..{offering.ends_on}",
        )
    if await repository.add_hours(session, order.id, body.hours) == 0:
        current = await repository.status_of(session, order.id)
        await session.rollback()
        raise InvalidState(current, "record attendance")
    record = AttendanceRecord(
        order_id=order.id,
        attended_on=body.on,
        hours=body.hours,
        channel=body.channel,
        recorded_by=principal.id,
        recorded_role=principal.role,
        created_at=utcnow(),
    )
    await repository.add_attendance(session, record)
    await session.commit()
    assert record.id is not None
    updated = await reread(session, order.id)
    return AttendancePublic(
        id=record.id,
        order_id=order.id,
        on=record.attended_on,
        hours=record.hours,
        channel=record.channel,
        recorded_by=record.recorded_by,
        attended_hours=updated.attended_hours,
        created_at=record.created_at,
    )


async def complete_order(
    session: AsyncSession, principal: Principal, order_id: int, ratio: float
) -> OrderPublic:
    """Completion (结业) once enough hours are attended; the check is in the UPDATE itself."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    required = rules.required_hours(order.hours, ratio)
    enough = col(Order.attended_hours) + 1e-9 >= required
    assert order.id is not None
    if await repository.set_status(session, order.id, "accepted", "completed", None, (enough,)):
        repository.add_event(session, order.id, "accepted", "completed", principal)
        await session.commit()
        return await reread(session, order_id)
    current = await repository.get_order(session, order.id, [])
    assert current is not None
    status, attended = current.status, current.attended_hours
    await session.rollback()  # expires every loaded row: read what is needed first
    if status != "accepted":
        raise InvalidState(status, "complete")
    raise DomainError(
        "insufficient_attendance",
        f"attended {attended:g} of the {required:g} hours needed",
        attended_hours=attended,
        required_hours=required,
    )


def _same_outcome(order: Order | OrderPublic, body: EvaluationOutcome) -> bool:
    if body.passed:
        passed_states = ("certified", "claimed", "paid")
        return order.status in passed_states and order.certificate_number == body.certificate_number
    return order.status == "failed"


async def record_evaluation(
    session: AsyncSession, principal: Principal, order_id: int, body: EvaluationOutcome
) -> OrderPublic:
    """The evaluation result: `completed → certified` or `failed`. Repeating the same
    outcome returns the order unchanged, so the gateway can safely retry."""
    if principal.role not in ("evaluator", "admin"):
        raise Forbidden("only an evaluator records evaluation results")
    order = await load_order(session, principal, order_id)
    assert order.id is not None
    if _same_outcome(order, body):
        return await reread(session, order_id)
    target = "certified" if body.passed else "failed"
    values = {"certificate_number": body.certificate_number, "result_id": body.result_id}
    if not await repository.set_status(session, order.id, "completed", target, values):
        current = await repository.get_order(session, order.id, [])
        assert current is not None
        public = to_public(current)
        await session.rollback()  # expires every loaded row: read what is needed first
        if _same_outcome(public, body):  # a concurrent identical call got there first
            return public
        raise InvalidState(public.status, "record an evaluation result")
    repository.add_event(session, order.id, "completed", target, principal)
    if not body.passed:
        await _free(session, order, "failed")
    await session.commit()
    return await reread(session, order_id)
