"""Training: classroom attendance (institution) and online learning from the three ends
(worker), merged into one learning total per order, each record checked for anomalies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import SHANGHAI, utcnow
from plumbing.errors import DomainError, InvalidState
from plumbing.principal import Principal
from services.enrolment.learning.anomalies import Thresholds, check_record
from services.enrolment.offerings import repository as offerings
from services.enrolment.orders import repository, rules
from services.enrolment.orders.models import AttendanceRecord
from services.enrolment.orders.schemas import (
    AttendanceCreate,
    AttendancePublic,
    LearningSessionCreate,
)
from services.enrolment.orders.service import load_order, require_institution_of, require_owner
from services.enrolment.workers import repository as workers


async def record_attendance(
    session: AsyncSession,
    principal: Principal,
    order_id: int,
    body: AttendanceCreate,
    limits: Thresholds,
) -> AttendancePublic:
    """Hours in class (by the institution) or online (by the worker, three ends). The first
    record moves the order `accepted → in_training`."""
    order = await load_order(session, principal, order_id)
    if body.channel in rules.WORKER_CHANNELS:
        require_owner(principal, order)
    else:
        require_institution_of(principal, order)
    assert order.id is not None
    offering = await offerings.get_offering(session, order.offering_id)
    assert offering is not None
    if not offering.starts_on <= body.on <= offering.ends_on:
        raise DomainError(
            "validation_failed",
            f"on: must be within the offering's dates {offering.starts_on}..{offering.ends_on}",
        )
    if body.started_at is not None and body.started_at.astimezone(SHANGHAI).date() != body.on:
        raise DomainError("validation_failed", "on: must be the day the session started")
    await workers.lock_profile(session, order.worker_id)
    if order.status == "accepted" and await repository.set_status(
        session, order.id, "accepted", "in_training"
    ):
        await repository.add_event(
            session, order.id, "accepted", "in_training", principal, None, "first attendance"
        )
    totals = await repository.add_hours(session, order.id, body.hours)
    if totals is None:
        current = await repository.status_of(session, order.id)
        await session.rollback()
        raise InvalidState(current, "record attendance")
    record = AttendanceRecord(
        order_id=order.id,
        worker_id=order.worker_id,
        attended_on=body.on,
        hours=body.hours,
        channel=body.channel,
        started_at=body.started_at,
        ended_at=body.ended_at,
        device_id=body.device_id,
        recorded_by=principal.id,
        recorded_role=principal.role,
        created_at=utcnow(),
    )
    await repository.add_attendance(session, record)
    flags = await check_record(session, record, limits)
    await session.commit()
    assert record.id is not None
    return AttendancePublic(
        id=record.id,
        order_id=order.id,
        on=record.attended_on,
        hours=record.hours,
        channel=record.channel,
        recorded_by=record.recorded_by,
        started_at=record.started_at,
        ended_at=record.ended_at,
        device_id=record.device_id,
        attended_hours=totals.attended_hours,
        status=totals.status,
        flags=flags,
        created_at=record.created_at,
    )


async def record_learning_session(
    session: AsyncSession,
    principal: Principal,
    order_id: int,
    body: LearningSessionCreate,
    limits: Thresholds,
) -> AttendancePublic:
    """An online session from pc, app or WeChat: its length counts towards the order."""
    hours = round((body.ended_at - body.started_at) / dt.timedelta(hours=1), 4)
    record = AttendanceCreate(
        on=body.started_at.astimezone(SHANGHAI).date(),
        hours=hours,
        channel=body.channel,
        started_at=body.started_at,
        ended_at=body.ended_at,
        device_id=body.device_id,
    )
    return await record_attendance(session, principal, order_id, record, limits)
