"""What an order must satisfy before a subsidy is claimed on it — in one place, so every
rule that gates a claim is read (and extended) here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.errors import DomainError, InvalidState
from services.enrolment.claims import repository
from services.enrolment.config import Settings
from services.enrolment.learning import repository as learning
from services.enrolment.orders.models import Order

CERTIFIED = ("certified", "claimed", "paid")
COMPLETED = ("completed", *CERTIFIED)


async def check_claim_preconditions(
    session: AsyncSession, order: Order, kind: str, settings: Settings, now: dt.datetime
) -> None:
    """Refuse the claim unless the order qualifies for this kind of subsidy.

    - training: the order is certified (the conditional move certified → claimed guards it);
    - evaluation: the order holds a certificate (its validity, incl. revocation, is checked
      against the evaluation service by the gateway before this call);
    - living cost: the order is completed and the worker is in a group that receives it;
    - every kind: filed within `claim_deadline_days` of the order's completion.
    - training and evaluation (money to the institution): the worker has confirmed that the
      training was delivered (DESIGN "delivery confirmed");
    - every kind: no anomaly flag on the order's learning records awaits government.
    """
    assert order.id is not None
    if kind == "training" and order.status != "certified":
        raise InvalidState(order.status, "claim the training subsidy")
    if kind == "evaluation" and (order.status not in CERTIFIED or not order.certificate_number):
        raise InvalidState(order.status, "claim the evaluation subsidy")
    if kind == "living_cost":
        if order.status not in COMPLETED:
            raise InvalidState(order.status, "claim the living-cost subsidy")
        group = await repository.target_group(session, order.worker_id)
        if group not in settings.living_cost_groups:
            raise DomainError(
                "not_entitled",
                f"the worker's group {group!r} does not receive the living-cost subsidy",
            )
    if kind != "living_cost" and order.delivery != "confirmed":
        raise DomainError(
            "delivery_not_confirmed",
            f"the worker has {'disputed' if order.delivery else 'not confirmed'} the delivery",
            delivery=order.delivery,
        )
    flags = await learning.open_flags(session, order.id)
    if flags:
        raise DomainError(
            "learning_flags_open",
            f"{len(flags)} anomaly flag(s) on this order await government review",
            flags=[{"id": f.id, "kind": f.kind} for f in flags],
        )
    completed = await repository.completed_at(session, order.id)
    if completed is not None:
        if completed.tzinfo is None:
            completed = completed.replace(tzinfo=dt.UTC)
        deadline = completed + dt.timedelta(days=settings.claim_deadline_days)
        if now > deadline:
            raise DomainError(
                "claim_deadline_passed",
                f"claims on order {order.id} were due by {deadline.date().isoformat()}",
            )
