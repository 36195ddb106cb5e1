"""The unit report's counts, kept in the transaction of each step they count.

An order counts once for its selection and once for each step it reaches (DESIGN "Order
states"); the count's row is the unit, the Asia/Shanghai day of the step, the worker's target
group at that moment, the order's trade and the offering's training type. The increment is
a conditional upsert (`n = n + 1` on conflict), so concurrent steps never lose a count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import SHANGHAI
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import Order
from services.enrolment.sql import table_of, upsert
from services.enrolment.stats.models import UnitStepCount
from services.enrolment.workers.models import WorkerProfile

# The steps an order's events count, in the order of the flow (DESIGN "Order states").
STEPS = ("accepted", "completed", "certified", "failed", "dropped")
COUNTED = ("selected", *STEPS)
# An order without a profile (none is written without one today) counts as this group.
NO_GROUP = "unknown"
KEY = (
    "unit_code",
    "day",
    "step",
    "target_group",
    "occupation_code",
    "level",
    "training_type",
    "occupation_name",
)


def counts(from_status: str | None, to_status: str) -> bool:
    """Whether an order event is one the report counts: a selection or a step reached (a
    step is never re-entered; an event that keeps the status is not a step)."""
    return to_status in COUNTED and from_status != to_status


async def count_step(session: AsyncSession, order_id: int, step: str, at: dt.datetime) -> None:
    """One more order of its unit, group, trade and type reaching `step` on the day of `at`.
    Does not commit; takes the count's row lock, so call it as late in the transaction as
    the step allows."""
    day = at.astimezone(SHANGHAI).date()
    source = (
        select(
            col(Order.unit_code),
            literal(day),
            literal(step),
            func.coalesce(col(WorkerProfile.target_group), NO_GROUP),
            col(Order.occupation_code),
            col(Order.level),
            col(Offering.training_type),
            col(Order.occupation_name),
            literal(1),
        )
        .join(Offering, col(Offering.id) == col(Order.offering_id))
        .outerjoin(WorkerProfile, col(WorkerProfile.worker_id) == col(Order.worker_id))
        # SQLite reads INSERT ... SELECT ... ON CONFLICT unambiguously only with a WHERE.
        .where(col(Order.id) == order_id)
    )
    table = table_of(UnitStepCount)
    stmt = upsert(session, UnitStepCount).from_select([*KEY, "n"], source)
    stmt = stmt.on_conflict_do_update(index_elements=list(KEY), set_={"n": table.c.n + 1})
    await session.execute(stmt)
