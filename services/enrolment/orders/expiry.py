"""Expiry: an order not accepted within JINENG_ORDER_ACCEPT_DAYS expires and frees its seat
and slot; a request open longer than JINENG_REQUEST_OPEN_DAYS expires. Run as a sweep
(POST /v1/orders/expire, e.g. from cron) and on acceptance of an overdue order."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import utcnow
from plumbing.principal import Principal, require_role
from services.enrolment.demand import repository as demand
from services.enrolment.notifications import repository as notifications
from services.enrolment.notifications.service import notification
from services.enrolment.orders import repository, rules
from services.enrolment.orders.models import Order
from services.enrolment.orders.schemas import SweepResult

SWEEP_BATCH = 500


async def free_order(session: AsyncSession, order: Order, to_status: str) -> None:
    # DESIGN "Rules": cancelled, rejected and failed orders free the yearly slot; orders
    # that never trained (cancelled, rejected, expired) also give their seat back.
    await repository.free_year_slot(session, order.worker_id, order.subsidy_year)
    if to_status in rules.SEAT_FREEING:
        await repository.free_seat(session, order.offering_id)
    assert order.id is not None
    await demand.reopen_requests(session, order.id)


async def expire_order(
    session: AsyncSession, order: Order, actor: Principal, accept_days: int
) -> bool:
    """`selected → expired` if still selected (a conditional UPDATE: a concurrent accept or
    cancel wins or loses as a whole), freeing what it held. Does not commit."""
    assert order.id is not None
    if not await repository.set_status(session, order.id, "selected", "expired"):
        return False
    reason = f"not accepted within {accept_days} days"
    await repository.add_event(session, order.id, "selected", "expired", actor, reason, "expire")
    await free_order(session, order, "expired")
    params = {
        "occupation_name": order.occupation_name,
        "level": order.level,
        "days": accept_days,
    }
    notifications.add_many(
        session,
        [
            notification(
                order.worker_id,
                "order_expired",
                params,
                offering_id=order.offering_id,
                order_id=order.id,
            )
        ],
    )
    return True


async def sweep(
    session: AsyncSession, principal: Principal, accept_days: int, request_days: int
) -> SweepResult:
    """Expire every overdue order (one transaction each, so a sweep never holds many locks)
    and every request open too long."""
    require_role(principal, "government", "admin")
    now = utcnow()
    expired = 0
    cutoff = now - dt.timedelta(days=accept_days)
    while ids := await repository.overdue_order_ids(session, cutoff, SWEEP_BATCH):
        for order_id in ids:
            order = await repository.get_order(session, order_id, [])
            assert order is not None
            if await expire_order(session, order, principal, accept_days):
                expired += 1
            await session.commit()
    requests = await demand.expire_requests(session, now - dt.timedelta(days=request_days), now)
    await session.commit()
    return SweepResult(orders_expired=expired, requests_expired=requests)
