"""Government withdraws a listed offering: its open orders are cancelled with the reason,
their seats and slots go back, and each worker is told — all in one transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.errors import InvalidState, NotFound
from plumbing.principal import Principal, require_role
from services.enrolment.demand import repository as demand
from services.enrolment.notifications import repository as notifications
from services.enrolment.notifications.service import notification
from services.enrolment.offerings import repository
from services.enrolment.offerings.models import Offering
from services.enrolment.offerings.schemas import WithdrawalPublic
from services.enrolment.offerings.service import offering_scope, to_public
from services.enrolment.orders import repository as orders
from services.enrolment.orders.expiry import free_order
from services.enrolment.orders.models import Order
from services.enrolment.sql import rows_affected

# Orders whose training has not started: cancelled when their offering is withdrawn.
OPEN_ORDER_STATUSES = ("selected", "accepted")


async def withdraw_offering(
    session: AsyncSession, principal: Principal, offering_id: int, reason: str
) -> WithdrawalPublic:
    """`listed → withdrawn`; open orders → `cancelled` with the reason, seats released."""
    require_role(principal, "government", "admin")
    offering = await repository.get_offering(session, offering_id, offering_scope(principal))
    if offering is None:
        raise NotFound("offering", offering_id)
    # The conditional UPDATE takes the offering's row lock first: a selection racing with
    # the withdrawal either took its seat before (and is cancelled below) or finds it closed.
    stmt = (
        update(Offering)
        .where(col(Offering.id) == offering_id, col(Offering.status) == "listed")
        .values(status="withdrawn", withdrawn_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if not await rows_affected(session, stmt):
        current = await repository.get_offering(session, offering_id)
        status = current.status if current is not None else "withdrawn"
        await session.rollback()  # expires every loaded row: read what is needed first
        raise InvalidState(status, "withdraw")
    # The demand catalogue counts requests matched by a *listed* offering.
    other = await repository.another_listed(
        session, offering_id, offering.occupation_code, offering.level
    )
    await demand.unmatch_requests(session, offering_id, other)
    open_orders = select(Order).where(
        col(Order.offering_id) == offering_id, col(Order.status).in_(OPEN_ORDER_STATUSES)
    )
    cancelled = 0
    for order in list((await session.execute(open_orders.with_for_update())).scalars()):
        assert order.id is not None
        if not await orders.set_status(
            session, order.id, order.status, "cancelled", {"reason": reason}
        ):
            continue
        await orders.add_event(
            session, order.id, order.status, "cancelled", principal, reason, "withdraw offering"
        )
        await free_order(session, order, "cancelled")
        params = {
            "occupation_name": order.occupation_name,
            "level": order.level,
            "reason": reason,
        }
        notifications.add_many(
            session,
            [
                notification(
                    order.worker_id,
                    "offering_withdrawn",
                    params,
                    offering_id=offering_id,
                    order_id=order.id,
                )
            ],
        )
        cancelled += 1
    await session.commit()
    updated = await repository.get_offering(session, offering_id)
    assert updated is not None
    return WithdrawalPublic(offering=to_public(updated), orders_cancelled=cancelled)
