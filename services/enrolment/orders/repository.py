"""Queries on orders, their events, attendance and the per-year counter. Never commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.principal import Principal
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import AttendanceRecord, Order, OrderEvent, WorkerYearCount
from services.enrolment.orders.rules import SLOT_FREEING, YEARLY_CAP
from services.enrolment.sql import built, rows_affected, table_of, upsert
from services.enrolment.stats.counts import count_step, counts

# Core statements on the hot write paths: no ORM unit of work or bulk-update compile state
# for a one-row UPDATE or INSERT (docs/PERFORMANCE.md, "Enrolment's cost per request").
ORDERS = table_of(Order)
_EVENTS = table_of(OrderEvent)


async def get_order(
    session: AsyncSession, order_id: int, scope: list[ColumnElement[bool]]
) -> Order | None:
    stmt = select(Order).where(col(Order.id) == order_id, *scope)
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_orders(
    session: AsyncSession,
    scope: list[ColumnElement[bool]],
    filters: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> tuple[list[Order], int]:
    where = [*scope, *filters]
    total = (await session.execute(select(func.count()).select_from(Order).where(*where))).scalar()
    stmt = select(Order).where(*where).order_by(col(Order.id).desc()).limit(limit).offset(offset)
    items = list((await session.execute(stmt)).scalars())
    return items, int(total or 0)


async def status_of(session: AsyncSession, order_id: int) -> str:
    """The order's status as committed now (not the copy in the session)."""
    return str(
        (
            await session.execute(select(col(Order.status)).where(col(Order.id) == order_id))
        ).scalar_one()
    )


def _transition_stmt(
    session: AsyncSession,
    order_id: int,
    from_status: str,
    to_status: str,
    values: dict[str, Any] | None,
    only_if: tuple[ColumnElement[bool], ...],
    returning: bool,
) -> tuple[Any, dict[str, Any]]:
    """The conditional UPDATE and its parameters. Without extra conditions the statement is
    built once per set of columns (the values are parameters); with them, per call."""
    params = {"status": to_status, "updated_at": utcnow(), **(values or {})}
    if only_if:
        stmt = (
            update(ORDERS)
            .where(ORDERS.c.id == order_id, ORDERS.c.status == from_status, *only_if)
            .values(**params)
        )
        return (stmt.returning(*ORDERS.c) if returning else stmt), {}

    def build(_dialect: str) -> Any:
        stmt = update(ORDERS).where(
            ORDERS.c.id == bindparam("t_id"), ORDERS.c.status == bindparam("t_from")
        )
        return stmt.returning(*ORDERS.c) if returning else stmt

    name = f"order_transition:{returning}:{','.join(sorted(params))}"
    return built(session, name, build), {**params, "t_id": order_id, "t_from": from_status}


async def insert_order(session: AsyncSession, fields: dict[str, Any]) -> Row[Any]:
    """A new order (a Core INSERT ... RETURNING: no ORM instance to flush and track)."""
    stmt = insert(ORDERS).values(**fields).returning(*ORDERS.c)
    return (await session.execute(stmt)).one()


async def set_status(
    session: AsyncSession,
    order_id: int,
    from_status: str,
    to_status: str,
    values: dict[str, Any] | None = None,
    only_if: tuple[ColumnElement[bool], ...] = (),
) -> int:
    """The conditional transition: touches the row only if it is still in `from_status`."""
    stmt, params = _transition_stmt(
        session, order_id, from_status, to_status, values, only_if, returning=False
    )
    return await rows_affected(session, stmt, params)


async def transition(
    session: AsyncSession,
    order_id: int,
    from_status: str,
    to_status: str,
    values: dict[str, Any] | None = None,
    only_if: tuple[ColumnElement[bool], ...] = (),
) -> Row[Any] | None:
    """`set_status` that returns the updated row (UPDATE ... RETURNING), or None when the
    order was not in `from_status`: the answer needs no second read of the order."""
    stmt, params = _transition_stmt(
        session, order_id, from_status, to_status, values, only_if, returning=True
    )
    return (await session.execute(stmt, params)).first()


def _event_stmt(dialect: str) -> Any:
    """The event INSERT, built once (its values are given at execution)."""
    unit = select(ORDERS.c.unit_code).where(ORDERS.c.id == bindparam("unit_of"))
    return insert(_EVENTS).values(unit_code=unit.scalar_subquery())


async def add_event(
    session: AsyncSession,
    order_id: int,
    from_status: str | None,
    to_status: str,
    actor: Principal,
    reason: str | None = None,
    action: str = "",
    at: dt.datetime | None = None,
) -> None:
    """The one place an order's event is written; a selection or a step reached is counted
    for the unit report in the same transaction (stats/counts.py), so the counts are exactly
    the events. Takes the count's row lock: call it last before the commit where it matters."""
    at = at or utcnow()
    # The order's unit, read in the same INSERT, so the unit report finds a unit's events by
    # index (ix_order_events_unit_at) without joining every unit's orders.
    stmt = built(session, "order_event", _event_stmt)
    values = {
        "order_id": order_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor_id": actor.id,
        "actor_role": actor.role,
        "reason": reason,
        "at": at,
        "unit_of": order_id,
    }
    await session.execute(stmt, values)
    if counts(from_status, to_status):
        await count_step(session, order_id, to_status, at)


async def events_of(session: AsyncSession, order_id: int) -> list[OrderEvent]:
    stmt = select(OrderEvent).where(col(OrderEvent.order_id) == order_id)
    return list((await session.execute(stmt.order_by(col(OrderEvent.id)))).scalars())


async def take_seat(session: AsyncSession, offering_id: int) -> bool:
    # DESIGN "Rules": an offering never has more seat-holding orders than its capacity.
    stmt = (
        update(Offering)
        .where(
            col(Offering.id) == offering_id,
            col(Offering.status) == "listed",
            col(Offering.seats_taken) < col(Offering.capacity),
        )
        .values(seats_taken=col(Offering.seats_taken) + 1)
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt) == 1


async def free_seat(session: AsyncSession, offering_id: int) -> None:
    stmt = (
        update(Offering)
        .where(col(Offering.id) == offering_id, col(Offering.seats_taken) > 0)
        .values(seats_taken=col(Offering.seats_taken) - 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def take_year_slot(session: AsyncSession, worker_id: int, year: int) -> bool:
    """Count one more subsidy-bearing order for the year, unless the cap is reached."""
    table = table_of(WorkerYearCount)
    stmt = upsert(session, WorkerYearCount).values(worker_id=worker_id, year=year, count=1)
    # PLAN §二.(二).11: at most 3 subsidised trainings per person per year.
    stmt = stmt.on_conflict_do_update(
        index_elements=["worker_id", "year"],
        set_={"count": table.c.count + 1},
        where=table.c.count < YEARLY_CAP,
    )
    return await rows_affected(session, stmt) == 1


async def free_year_slot(session: AsyncSession, worker_id: int, year: int) -> None:
    stmt = (
        update(WorkerYearCount)
        .where(
            col(WorkerYearCount.worker_id) == worker_id,
            col(WorkerYearCount.year) == year,
            col(WorkerYearCount.count) > 0,
        )
        .values(count=col(WorkerYearCount.count) - 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def held_this_year(session: AsyncSession, worker_id: int, year: int) -> int:
    stmt = select(col(WorkerYearCount.count)).where(
        col(WorkerYearCount.worker_id) == worker_id, col(WorkerYearCount.year) == year
    )
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)


async def year_and_occupation_level(
    session: AsyncSession, worker_id: int, year: int, occupation_code: str, level: int
) -> tuple[int, bool]:
    """`held_this_year` and `holds_occupation_level` in one round trip (selection asks both)."""
    held = select(col(WorkerYearCount.count)).where(
        col(WorkerYearCount.worker_id) == worker_id, col(WorkerYearCount.year) == year
    )
    holds = select(col(Order.id)).where(
        col(Order.worker_id) == worker_id,
        col(Order.occupation_code) == occupation_code,
        col(Order.level) == level,
        col(Order.status).not_in(SLOT_FREEING),
    )
    row = (await session.execute(select(held.scalar_subquery(), holds.exists()))).one()
    return int(row[0] or 0), bool(row[1])


async def update_where(
    session: AsyncSession,
    order_id: int,
    conditions: tuple[ColumnElement[bool], ...],
    values: dict[str, Any],
) -> Row[Any] | None:
    """A conditional UPDATE of one order that keeps its status (e.g. delivery confirmation):
    the updated row, or None when the conditions did not hold."""
    stmt = (
        update(ORDERS)
        .where(ORDERS.c.id == order_id, *conditions)
        .values(updated_at=utcnow(), **values)
        .returning(*ORDERS.c)
    )
    return (await session.execute(stmt)).first()


async def overdue_order_ids(session: AsyncSession, cutoff: dt.datetime, limit: int) -> list[int]:
    """`selected` orders created at or before `cutoff`: not accepted in time."""
    stmt = (
        select(col(Order.id))
        .where(col(Order.status) == "selected", col(Order.created_at) <= cutoff)
        .order_by(col(Order.id))
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars() if i is not None]


async def add_hours(session: AsyncSession, order_id: int, hours: float) -> Row[Any] | None:
    """Add attended hours to an order in training: its new (attended_hours, status), or None
    when it is not in training."""
    stmt = (
        update(ORDERS)
        .where(ORDERS.c.id == order_id, ORDERS.c.status == "in_training")
        .values(attended_hours=ORDERS.c.attended_hours + hours, updated_at=utcnow())
        .returning(ORDERS.c.attended_hours, ORDERS.c.status)
    )
    return (await session.execute(stmt)).first()


async def add_attendance(session: AsyncSession, record: AttendanceRecord) -> AttendanceRecord:
    session.add(record)
    await session.flush()
    return record
