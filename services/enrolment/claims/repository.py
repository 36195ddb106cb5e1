"""Queries on claims and their events. Never commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.principal import Principal
from services.enrolment.audit import service as audit
from services.enrolment.claims.models import Claim, ClaimEvent, ClaimObjection
from services.enrolment.orders.models import AttendanceRecord, OrderEvent
from services.enrolment.sql import built, rows_affected, table_of
from services.enrolment.workers.models import WorkerProfile

# A one-row conditional UPDATE as a Core statement: no ORM bulk-update compile state.
CLAIMS = table_of(Claim)


async def list_claims(
    session: AsyncSession, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[Claim], int]:
    total = (await session.execute(select(func.count()).select_from(Claim).where(*where))).scalar()
    stmt = select(Claim).where(*where).order_by(col(Claim.id).desc()).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total or 0)


async def set_status(
    session: AsyncSession,
    claim_id: int,
    from_status: str,
    to_status: str,
    values: dict[str, Any] | None = None,
    *,
    only_if_not_countersigned: bool = False,
) -> Row[Any] | None:
    """The conditional transition: touches the row only if it is still in `from_status`.
    Returns the row as updated (UPDATE ... RETURNING), or None if it was not touched."""
    params = {"status": to_status, "updated_at": utcnow(), **(values or {})}

    def build(_dialect: str) -> Any:
        where = [CLAIMS.c.id == bindparam("t_id"), CLAIMS.c.status == bindparam("t_from")]
        if only_if_not_countersigned:
            where.append(CLAIMS.c.countersigned_by.is_(None))
        return update(CLAIMS).where(*where).returning(*CLAIMS.c)

    # Built once per set of columns: the values are parameters.
    name = f"claim_transition:{only_if_not_countersigned}:{','.join(sorted(params))}"
    stmt = built(session, name, build)
    params.update(t_id=claim_id, t_from=from_status)
    return (await session.execute(stmt, params)).first()


async def status_of(session: AsyncSession, claim_id: int) -> str:
    stmt = select(col(Claim.status)).where(col(Claim.id) == claim_id)
    return str((await session.execute(stmt)).scalar_one())


def add_event(
    session: AsyncSession,
    claim_id: int,
    from_status: str | None,
    to_status: str,
    actor: Principal,
    reason: str | None = None,
) -> None:
    ev = ClaimEvent(
        claim_id=claim_id,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id,
        actor_role=actor.role,
        reason=reason,
        at=utcnow(),
    )
    session.add(ev)
    # Issue 6, item 7: every claim transition goes into the tamper-evident chain.
    audit.note(session, ev)


async def get_objection(session: AsyncSession, objection_id: int) -> ClaimObjection | None:
    stmt = select(ClaimObjection).where(col(ClaimObjection.id) == objection_id)
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_objections(session: AsyncSession, claim_id: int) -> list[ClaimObjection]:
    stmt = (
        select(ClaimObjection)
        .where(col(ClaimObjection.claim_id) == claim_id)
        .order_by(col(ClaimObjection.id))
    )
    return list((await session.execute(stmt)).scalars())


async def count_open_objections(session: AsyncSession, claim_id: int) -> int:
    stmt = select(func.count()).where(
        col(ClaimObjection.claim_id) == claim_id, col(ClaimObjection.status) == "open"
    )
    return int((await session.execute(stmt)).scalar() or 0)


async def decide_objection(
    session: AsyncSession, objection_id: int, status: str, by: int, decision: str
) -> int:
    stmt = (
        update(ClaimObjection)
        .where(col(ClaimObjection.id) == objection_id, col(ClaimObjection.status) == "open")
        .values(status=status, decided_by=by, decision=decision, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def completed_at(session: AsyncSession, order_id: int) -> dt.datetime | None:
    """When the order reached `completed` (its event), for the claim deadline."""
    stmt = select(func.max(col(OrderEvent.at))).where(
        col(OrderEvent.order_id) == order_id, col(OrderEvent.to_status) == "completed"
    )
    value = (await session.execute(stmt)).scalar()
    return value if isinstance(value, dt.datetime) else None


async def attended_days(session: AsyncSession, order_id: int) -> int:
    stmt = select(func.count(func.distinct(col(AttendanceRecord.attended_on)))).where(
        col(AttendanceRecord.order_id) == order_id
    )
    return int((await session.execute(stmt)).scalar() or 0)


async def target_group(session: AsyncSession, worker_id: int) -> str | None:
    stmt = select(col(WorkerProfile.target_group)).where(col(WorkerProfile.worker_id) == worker_id)
    return (await session.execute(stmt)).scalar_one_or_none()
