"""The unit report's counts, kept in the transaction of each step they count.

An order counts once for its selection and once for each step it reaches (DESIGN "Order
states"), on the Asia/Shanghai day of the step, in four rows of `unit_step_counts`: day and
month, each by the worker's target group at that moment and by the order's trade with the
offering's training type. The increment is one conditional upsert of the four rows
(`n = n + 1` on conflict), so concurrent steps never lose a count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, String, bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import SHANGHAI
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import Order
from services.enrolment.sql import built, table_of, upsert_for
from services.enrolment.stats.models import UnitStepCount
from services.enrolment.workers.models import WorkerProfile

# The steps an order's events count, in the order of the flow (DESIGN "Order states").
STEPS = ("accepted", "completed", "certified", "failed", "dropped")
COUNTED = ("selected", *STEPS)
# An order without a profile (none is written without one today) counts as this group.
NO_GROUP = "unknown"
KEY = (
    "unit_code",
    "period",
    "starts_on",
    "dimension",
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


def _rows(period: str) -> list[Any]:
    group = func.coalesce(col(WorkerProfile.target_group), NO_GROUP)
    by_group = (
        group,
        literal(""),
        literal(0),
        literal(""),
        literal(""),
    )
    by_trade = (
        literal(""),
        col(Order.occupation_code),
        col(Order.level),
        col(Offering.training_type),
        col(Order.occupation_name),
    )
    selects = []
    for dimension, facts in (("group", by_group), ("trade", by_trade)):
        stmt = select(
            col(Order.unit_code),
            literal(period),
            bindparam(f"{period}_on", type_=Date),
            literal(dimension),
            bindparam("step", type_=String),
            *facts,
            literal(1),
        )
        if dimension == "group":
            stmt = stmt.outerjoin(
                WorkerProfile, col(WorkerProfile.worker_id) == col(Order.worker_id)
            )
        else:
            stmt = stmt.join(Offering, col(Offering.id) == col(Order.offering_id))
        # SQLite reads INSERT ... SELECT ... ON CONFLICT unambiguously only with a WHERE.
        selects.append(stmt.where(col(Order.id) == bindparam("order_id")))
    return selects


def _count_stmt(dialect: str) -> Any:
    """The four rows' upsert, built once per dialect: the order, the step and the two days
    are bind parameters."""
    table = table_of(UnitStepCount)
    rows = _rows("day") + _rows("month")
    stmt = upsert_for(dialect, UnitStepCount).from_select([*KEY, "n"], union_all(*rows))
    return stmt.on_conflict_do_update(index_elements=list(KEY), set_={"n": table.c.n + 1})


async def count_step(session: AsyncSession, order_id: int, step: str, at: dt.datetime) -> None:
    """One more order of its unit, group, trade and type reaching `step` on the day of `at`
    (and in its month). Does not commit; takes the four rows' locks, so call it as late in
    the transaction as the step allows."""
    day = at.astimezone(SHANGHAI).date()
    stmt = built(session, "count_step", _count_stmt)
    params = {"order_id": order_id, "step": step, "day_on": day, "month_on": day.replace(day=1)}
    await session.execute(stmt, params)


def periods(from_on: dt.date, to_on: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """[from_on, to_on] as the fewest ranges of count rows: the whole months inside it by
    their month rows, the days before and after them by their day rows."""
    first = from_on if from_on.day == 1 else _next_month(from_on)
    after = _next_month(to_on)
    end = (
        to_on
        if after - dt.timedelta(days=1) == to_on
        else to_on.replace(day=1) - dt.timedelta(days=1)
    )
    if first > end:
        return [("day", from_on, to_on)]
    ranges = [("month", first, end.replace(day=1))]
    if from_on < first:
        ranges.append(("day", from_on, first - dt.timedelta(days=1)))
    if end < to_on:
        ranges.append(("day", end + dt.timedelta(days=1), to_on))
    return ranges


def _next_month(on: dt.date) -> dt.date:
    return (on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
