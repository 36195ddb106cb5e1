"""After training: the worker confirms (or disputes) that it was delivered, before any claim;
the order's timeline; and the replay of its eligibility decision for auditors."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.errors import DomainError, InvalidState
from plumbing.principal import Principal
from services.enrolment.eligibility.rules import RULE_VERSION, Facts, evaluate
from services.enrolment.eligibility.schemas import DecisionPublic
from services.enrolment.eligibility.service import reasons_public
from services.enrolment.orders import repository, rules
from services.enrolment.orders.models import Order
from services.enrolment.orders.schemas import OrderEventPublic, OrderPublic, Timeline
from services.enrolment.orders.service import load_order, require_owner, to_public


async def _set_delivery(
    session: AsyncSession,
    principal: Principal,
    order_id: int,
    outcome: str,
    reason: str | None,
) -> OrderPublic:
    order = await load_order(session, principal, order_id)
    require_owner(principal, order)
    assert order.id is not None
    # Confirming settles a dispute; a dispute can only be raised on an open question.
    allowed = (None, "disputed") if outcome == "confirmed" else (None,)
    delivery = col(Order.delivery)
    open_question: ColumnElement[bool] = delivery.is_(None)
    if "disputed" in allowed:
        open_question = or_(open_question, delivery == "disputed")
    row = await repository.update_where(
        session,
        order.id,
        (col(Order.status).in_(rules.CONFIRMABLE), open_question),
        {"delivery": outcome, "delivery_reason": reason, "delivery_at": utcnow()},
    )
    action = "confirm delivery" if outcome == "confirmed" else "dispute delivery"
    if row is None:
        current = await repository.get_order(session, order.id, [])
        assert current is not None
        status, done = current.status, current.delivery
        await session.rollback()
        if status not in rules.CONFIRMABLE:
            raise InvalidState(status, action)
        raise DomainError(
            "delivery_already_recorded",
            f"delivery is already {done}",
            current_status=status,
            delivery=done,
        )
    await repository.add_event(
        session, order.id, order.status, order.status, principal, reason, action
    )
    await session.commit()
    return to_public(row)


async def confirm_delivery(
    session: AsyncSession, principal: Principal, order_id: int
) -> OrderPublic:
    """The worker confirms the training was delivered (needed before a claim)."""
    return await _set_delivery(session, principal, order_id, "confirmed", None)


async def dispute_delivery(
    session: AsyncSession, principal: Principal, order_id: int, reason: str
) -> OrderPublic:
    """The worker says the training was not delivered as claimed; no claim can be made."""
    return await _set_delivery(session, principal, order_id, "disputed", reason)


async def timeline(session: AsyncSession, principal: Principal, order_id: int) -> Timeline:
    """Every transition and step of the order: who, when, from what, to what, why."""
    order = await load_order(session, principal, order_id)
    assert order.id is not None
    events = await repository.events_of(session, order.id)
    return Timeline(
        order_id=order.id,
        status=order.status,
        items=[OrderEventPublic.model_validate(e, from_attributes=True) for e in events],
    )


async def decision(
    session: AsyncSession, principal: Principal, order_id: int, english: bool
) -> DecisionPublic:
    """The order's eligibility decision replayed from its stored facts (auditors)."""
    order = await load_order(session, principal, order_id)
    assert order.id is not None
    if not order.decision_facts:
        raise DomainError("not_found", f"order {order_id} has no recorded decision")
    reasons = evaluate(Facts.from_json(order.decision_facts))
    return DecisionPublic(
        order_id=order.id,
        rule_version=order.rule_version,
        current_rule_version=RULE_VERSION,
        facts=order.decision_facts,
        eligible=not reasons,
        reasons=reasons_public(reasons, english),
    )
