"""Queries on training requests. Never commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.enrolment.demand.models import TrainingRequest


async def get_request(
    session: AsyncSession, request_id: int, scope: list[ColumnElement[bool]]
) -> TrainingRequest | None:
    stmt = select(TrainingRequest).where(col(TrainingRequest.id) == request_id, *scope)
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
