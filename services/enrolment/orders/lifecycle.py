"""Order 4 (机构接单) and after: cancel, accept, reject, drop, completion, evaluation.
Each transition is a conditional UPDATE plus an event row, committed together."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.errors import DomainError, Forbidden, InvalidState
from plumbing.principal import Principal
from services.enrolment.orders import repository, rules
from services.enrolment.orders.expiry import expire_order, free_order
from services.enrolment.orders.models import Order
from services.enrolment.orders.schemas import EvaluationOutcome, OrderPublic
from services.enrolment.orders.service import (
    load_order,
    move,
    require_institution_of,
    require_owner,
    to_public,
)


async def cancel_order(
    session: AsyncSession, principal: Principal, order_id: int, reason: str | None
) -> OrderPublic:
    """The worker withdraws before the institution accepts."""
    order = await load_order(session, principal, order_id)
    require_owner(principal, order)
    row = await move(
        session, order, principal, "selected", "cancelled", "cancel", reason, {"reason": reason}
    )
    await free_order(session, order, "cancelled")
    await session.commit()
    return to_public(row)


async def accept_order(
    session: AsyncSession, principal: Principal, order_id: int, accept_days: int
) -> OrderPublic:
    """Order 4: the offering's institution accepts the worker — within `accept_days` of the
    selection; an overdue order expires here and now instead (its seat goes back)."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    assert order.id is not None
    cutoff = utcnow() - dt.timedelta(days=accept_days)
    in_time = (col(Order.created_at) > cutoff,)
    row = await repository.transition(session, order.id, "selected", "accepted", None, in_time)
    if row is not None:
        await repository.add_event(
            session, order.id, "selected", "accepted", principal, None, "accept"
        )
        await session.commit()
        return to_public(row)
    current = await repository.status_of(session, order.id)
    if current == "selected":
        await expire_order(session, order, principal, accept_days)
        await session.commit()
        current = await repository.status_of(session, order.id)
    else:
        await session.rollback()
    raise InvalidState(current, "accept")


async def drop_order(
    session: AsyncSession, principal: Principal, order_id: int, reason: str
) -> OrderPublic:
    """The institution records that an accepted worker dropped out, with a reason. The seat
    stays used and the slot stays counted: the training was taken up."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    if order.status not in rules.DROPPABLE:
        raise InvalidState(order.status, "drop")
    row = await move(
        session, order, principal, order.status, "dropped", "drop", reason, {"reason": reason}
    )
    await session.commit()
    return to_public(row)


async def reject_order(
    session: AsyncSession, principal: Principal, order_id: int, reason: str
) -> OrderPublic:
    """The institution turns the worker down, with a reason."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    row = await move(
        session, order, principal, "selected", "rejected", "reject", reason, {"reason": reason}
    )
    await free_order(session, order, "rejected")
    await session.commit()
    return to_public(row)


async def complete_order(
    session: AsyncSession, principal: Principal, order_id: int, ratio: float
) -> OrderPublic:
    """Completion (结业) once enough hours are attended; the check is in the UPDATE itself."""
    order = await load_order(session, principal, order_id)
    require_institution_of(principal, order)
    required = rules.required_hours(order.hours, ratio)
    enough = col(Order.attended_hours) + 1e-9 >= required
    assert order.id is not None
    row = await repository.transition(
        session, order.id, "in_training", "completed", None, (enough,)
    )
    if row is not None:
        await repository.add_event(
            session, order.id, "in_training", "completed", principal, None, "complete"
        )
        await session.commit()
        return to_public(row)
    current = await repository.get_order(session, order.id, [])
    assert current is not None
    status, attended = current.status, current.attended_hours
    await session.rollback()  # expires every loaded row: read what is needed first
    if status not in ("accepted", "in_training"):
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
        return to_public(order)  # read just now, with populate_existing: the stored row
    target = "certified" if body.passed else "failed"
    values = {"certificate_number": body.certificate_number, "result_id": body.result_id}
    row = await repository.transition(session, order.id, "completed", target, values)
    if row is None:
        current = await repository.get_order(session, order.id, [])
        assert current is not None
        public = to_public(current)
        await session.rollback()  # expires every loaded row: read what is needed first
        if _same_outcome(public, body):  # a concurrent identical call got there first
            return public
        raise InvalidState(public.status, "record an evaluation result")
    if not body.passed:
        await free_order(session, order, "failed")
    # Last: the event's count for the unit report holds its row lock until the commit.
    await repository.add_event(session, order.id, "completed", target, principal, None, "evaluate")
    await session.commit()
    return to_public(row)
