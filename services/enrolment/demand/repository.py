"""Queries on training requests. Never commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from services.enrolment.demand.models import LIVE_REQUEST, TrainingRequest
from services.enrolment.sql import rows_affected


async def get_request(
    session: AsyncSession, request_id: int, scope: list[ColumnElement[bool]]
) -> TrainingRequest | None:
    stmt = select(TrainingRequest).where(col(TrainingRequest.id) == request_id, *scope)
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_requests(
    session: AsyncSession, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[TrainingRequest], int]:
    count = select(func.count()).select_from(TrainingRequest).where(*where)
    total = (await session.execute(count)).scalar()
    stmt = (
        select(TrainingRequest)
        .where(*where)
        .order_by(col(TrainingRequest.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(stmt)).scalars()), int(total or 0)


async def add_request(session: AsyncSession, request: TrainingRequest) -> TrainingRequest:
    session.add(request)
    await session.flush()
    return request


async def fulfil_requests(
    session: AsyncSession, worker_id: int, occupation_code: str, level: int, order_id: int
) -> int:
    """The worker's live requests for this occupation and level are fulfilled by the order."""
    stmt = (
        update(TrainingRequest)
        .where(
            col(TrainingRequest.worker_id) == worker_id,
            col(TrainingRequest.occupation_code) == occupation_code,
            col(TrainingRequest.level) == level,
            col(TrainingRequest.status).in_(LIVE_REQUEST),
        )
        .values(status="fulfilled", order_id=order_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def reopen_requests(session: AsyncSession, order_id: int) -> int:
    """Requests fulfilled by an order that did not go ahead want training again."""
    reopened = case((col(TrainingRequest.matched_offering_id).is_(None), "open"), else_="matched")
    stmt = (
        update(TrainingRequest)
        .where(
            col(TrainingRequest.order_id) == order_id, col(TrainingRequest.status) == "fulfilled"
        )
        .values(status=reopened, order_id=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def match_requests(
    session: AsyncSession, occupation_code: str, level: int, offering_id: int
) -> list[TrainingRequest]:
    """Mark live requests for this occupation and level matched by the offering; return the
    ones that were open (those workers hear about it)."""
    live = (
        col(TrainingRequest.occupation_code) == occupation_code,
        col(TrainingRequest.level) == level,
        col(TrainingRequest.status).in_(LIVE_REQUEST),
    )
    stmt = select(TrainingRequest).where(*live).with_for_update()
    rows = list((await session.execute(stmt)).scalars())
    await session.execute(
        update(TrainingRequest)
        .where(*live)
        .values(status="matched", matched_offering_id=offering_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rows


async def unmatch_requests(
    session: AsyncSession, offering_id: int, other_offering_id: int | None
) -> int:
    """Requests matched by a withdrawn offering: matched by another listed one, or open."""
    values: dict[str, object] = (
        {"matched_offering_id": other_offering_id}
        if other_offering_id is not None
        else {"status": "open", "matched_offering_id": None}
    )
    stmt = (
        update(TrainingRequest)
        .where(
            col(TrainingRequest.matched_offering_id) == offering_id,
            col(TrainingRequest.status) == "matched",
        )
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def set_status(
    session: AsyncSession, request_id: int, from_status: tuple[str, ...], to_status: str
) -> int:
    stmt = (
        update(TrainingRequest)
        .where(col(TrainingRequest.id) == request_id, col(TrainingRequest.status).in_(from_status))
        .values(status=to_status, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def status_of(session: AsyncSession, request_id: int) -> str:
    stmt = select(col(TrainingRequest.status)).where(col(TrainingRequest.id) == request_id)
    return str((await session.execute(stmt)).scalar_one())


async def expire_requests(session: AsyncSession, cutoff: dt.datetime, now: dt.datetime) -> int:
    stmt = (
        update(TrainingRequest)
        .where(
            col(TrainingRequest.status).in_(LIVE_REQUEST),
            col(TrainingRequest.created_at) <= cutoff,
        )
        .values(status="expired", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return await rows_affected(session, stmt)


async def demand_aggregates(
    session: AsyncSession, where: list[ColumnElement[bool]]
) -> list[tuple[str, int, str, int, int]]:
    """Live requests by occupation, level and unit: (occupation, level, unit, live, matched)."""
    matched = func.sum(case((col(TrainingRequest.status) == "matched", 1), else_=0))
    stmt = (
        select(
            col(TrainingRequest.occupation_code),
            col(TrainingRequest.level),
            col(TrainingRequest.unit_code),
            func.count(),
            matched,
        )
        .where(col(TrainingRequest.status).in_(LIVE_REQUEST), *where)
        .group_by(
            col(TrainingRequest.occupation_code),
            col(TrainingRequest.level),
            col(TrainingRequest.unit_code),
        )
        .order_by(
            func.count().desc(),
            col(TrainingRequest.occupation_code),
            col(TrainingRequest.level),
            col(TrainingRequest.unit_code),
        )
    )
    return [
        (str(o), int(lv), str(u), int(n), int(m or 0))
        for o, lv, u, n, m in (await session.execute(stmt)).all()
    ]
