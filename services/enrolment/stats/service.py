"""Outcome counts per institution (for the performance rating) and an institution's open
orders (for the exit mechanism). Read only: nothing here writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from plumbing.principal import Principal, require_role
from services.enrolment.claims.models import Claim
from services.enrolment.orders.models import Order
from services.enrolment.orders.schemas import OrderPublic
from services.enrolment.stats.schemas import (
    InstitutionOutcome,
    InstitutionOutcomeList,
    OpenOrderList,
)

# Order states that mean the institution took the worker on, finished the training, passed.
ACCEPTED = ("accepted", "completed", "certified", "claimed", "paid", "dropped", "failed")
COMPLETED = ("completed", "certified", "claimed", "paid", "failed")
CERTIFIED = ("certified", "claimed", "paid")
# Orders still waiting on the institution: revoking it must not strand them.
OPEN = ("selected", "accepted")


def _count_in(statuses: tuple[str, ...]) -> Any:
    return func.sum(case((col(Order.status).in_(statuses), 1), else_=0))


async def institution_outcomes(
    session: AsyncSession, principal: Principal, institution_id: int | None
) -> InstitutionOutcomeList:
    """Per institution: orders accepted, completed, certified, failed, dropped, still open,
    and claims submitted and rejected."""
    require_role(principal, "government", "admin")
    orders = sa_select(
        col(Order.institution_id),
        _count_in(ACCEPTED),
        _count_in(COMPLETED),
        _count_in(CERTIFIED),
        _count_in(("failed",)),
        _count_in(("dropped",)),
        _count_in(OPEN),
    ).group_by(col(Order.institution_id))
    claims = sa_select(
        col(Claim.institution_id),
        func.count(),
        func.sum(case((col(Claim.status) == "rejected", 1), else_=0)),
    ).group_by(col(Claim.institution_id))
    if institution_id is not None:
        orders = orders.where(col(Order.institution_id) == institution_id)
        claims = claims.where(col(Claim.institution_id) == institution_id)
    counts: dict[int, dict[str, int]] = {}
    for iid, accepted, completed, certified, failed, dropped, open_ in await session.execute(
        orders
    ):
        counts[iid] = {
            "orders_accepted": int(accepted or 0),
            "orders_completed": int(completed or 0),
            "orders_certified": int(certified or 0),
            "orders_failed": int(failed or 0),
            "orders_dropped": int(dropped or 0),
            "orders_open": int(open_ or 0),
        }
    claim_counts = {iid: (int(n), int(r or 0)) for iid, n, r in await session.execute(claims)}
    zero = dict.fromkeys(
        (
            "orders_accepted",
            "orders_completed",
            "orders_certified",
            "orders_failed",
            "orders_dropped",
            "orders_open",
        ),
        0,
    )
    items = [
        InstitutionOutcome(
            institution_id=iid,
            **counts.get(iid, zero),
            claims_total=claim_counts.get(iid, (0, 0))[0],
            claims_rejected=claim_counts.get(iid, (0, 0))[1],
        )
        for iid in sorted(set(counts) | set(claim_counts))
    ]
    return InstitutionOutcomeList(items=items, total=len(items))


async def open_orders(
    session: AsyncSession, principal: Principal, institution_id: int
) -> OpenOrderList:
    """The orders of an institution still waiting on it (selected or accepted)."""
    require_role(principal, "government", "admin")
    query = select(Order).where(
        col(Order.institution_id) == institution_id, col(Order.status).in_(OPEN)
    )
    if principal.unit_code is not None:
        query = query.where(col(Order.unit_code) == principal.unit_code)
    rows = (await session.scalars(query.order_by(col(Order.id)))).all()
    items = [OrderPublic.model_validate(o, from_attributes=True) for o in rows]
    return OpenOrderList(items=items, total=len(items))
