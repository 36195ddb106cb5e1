"""Queries on certificates (never commits, never decides)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.evaluation.body.models import EvaluationBody
from services.evaluation.certificate.models import Certificate
from services.evaluation.event.models import Event


async def get_by_number(
    session: AsyncSession, number: str, *, lock: bool = False
) -> Certificate | None:
    stmt = (
        select(Certificate)
        .where(col(Certificate.number) == number)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_with_body_name(
    session: AsyncSession, number: str
) -> tuple[Certificate, str | None] | None:
    stmt = (
        select(Certificate, col(EvaluationBody.name))
        .outerjoin(EvaluationBody, col(EvaluationBody.id) == col(Certificate.body_id))
        .where(col(Certificate.number) == number)
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


async def get_by_result(session: AsyncSession, result_id: int) -> Certificate | None:
    stmt = select(Certificate).where(col(Certificate.result_id) == result_id)
    return (await session.execute(stmt)).scalar_one_or_none()


def add(session: AsyncSession, certificate: Certificate) -> Certificate:
    session.add(certificate)
    return certificate


async def list_certificates(
    session: AsyncSession,
    *,
    worker_id: int | None,
    order_id: int | None = None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[tuple[Certificate, str | None]], int]:
    """Certificates with the name of the body that issued each."""
    stmt = select(Certificate, col(EvaluationBody.name)).outerjoin(
        EvaluationBody, col(EvaluationBody.id) == col(Certificate.body_id)
    )
    if worker_id is not None:
        stmt = stmt.where(col(Certificate.worker_id) == worker_id)
    if order_id is not None:
        stmt = stmt.where(col(Certificate.order_id) == order_id)
    if status is not None:
        stmt = stmt.where(col(Certificate.status) == status)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(col(Certificate.id)).limit(limit).offset(offset)
    return [(r[0], r[1]) for r in (await session.execute(page)).all()], total


async def mark_revoked(session: AsyncSession, number: str, *, reason: str, at: dt.datetime) -> bool:
    """Conditional UPDATE valid → revoked: True when this call revoked it."""
    stmt = (
        update(Certificate)
        .where(col(Certificate.number) == number, col(Certificate.status) == "valid")
        .values(status="revoked", revoked_reason=reason, revoked_at=at)
        .returning(col(Certificate.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def revoked_by_authority(
    session: AsyncSession, *, order_id: int | None, candidate_id: int | None
) -> str | None:
    """The number of a certificate of this subject that government (or admin) revoked."""
    if order_id is None and candidate_id is None:
        return None
    stmt = (
        select(col(Certificate.number))
        .join(
            Event,
            (col(Event.entity) == "certificate")
            & (col(Event.entity_id) == col(Certificate.id))
            & (col(Event.to_status) == "revoked"),
        )
        .where(col(Event.actor_role).in_(("government", "admin")))
    )
    if order_id is not None:
        stmt = stmt.where(col(Certificate.order_id) == order_id)
    else:
        stmt = stmt.where(col(Certificate.candidate_id) == candidate_id)
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()
