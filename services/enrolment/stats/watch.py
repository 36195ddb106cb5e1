"""Signals for the supervision watch list, from enrolment's own data: institutions whose
candidates all pass, devices shared by many workers, open learning-anomaly flags, and
completed orders whose claim deadline is close. Read only; each row names the orders or the
institution behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.principal import Principal, require_role
from services.enrolment.claims.models import Claim
from services.enrolment.config import Settings
from services.enrolment.learning.models import LearningFlag
from services.enrolment.orders.models import AttendanceRecord, Order, OrderEvent
from services.enrolment.stats.schemas import (
    ClaimDue,
    FlagSignal,
    PassRateSignal,
    SharedDevice,
    SharedPhone,
    WatchSignals,
)
from services.enrolment.stats.service import CERTIFIED
from services.enrolment.workers.models import WorkerProfile

# "All of 30+ candidates passing" is implausible enough for a closer look (issue 7).
PASS_RATE_MIN_CANDIDATES = 30
# Three or more workers learning on one device suggests proxy attendance.
SHARED_DEVICE_MIN_WORKERS = 3
# Claims due within two weeks are worth a reminder.
CLAIM_DUE_WINDOW_DAYS = 14


async def watch_signals(
    session: AsyncSession, principal: Principal, settings: Settings
) -> WatchSignals:
    """Every signal, limited to a unit officer's unit."""
    require_role(principal, "government", "admin")
    unit = principal.unit_code

    def scoped(query: Any) -> Any:
        return query if unit is None else query.where(col(Order.unit_code) == unit)

    pass_rates = []
    outcomes = scoped(
        sa_select(
            col(Order.institution_id),
            func.sum(case((col(Order.status).in_(CERTIFIED), 1), else_=0)),
            func.sum(case((col(Order.status) == "failed", 1), else_=0)),
        ).where(col(Order.status).in_((*CERTIFIED, "failed")))
    ).group_by(col(Order.institution_id))
    for institution_id, passed, failed in await session.execute(outcomes):
        candidates = int(passed or 0) + int(failed or 0)
        if candidates >= PASS_RATE_MIN_CANDIDATES and not failed:
            pass_rates.append(
                PassRateSignal(
                    institution_id=institution_id, candidates=candidates, passed=int(passed)
                )
            )

    shared = scoped(
        sa_select(
            col(AttendanceRecord.device_id), func.count(func.distinct(AttendanceRecord.worker_id))
        )
        .join(Order, col(Order.id) == col(AttendanceRecord.order_id))
        .where(col(AttendanceRecord.device_id).is_not(None))
    ).group_by(col(AttendanceRecord.device_id))
    shared = shared.having(
        func.count(func.distinct(AttendanceRecord.worker_id)) >= SHARED_DEVICE_MIN_WORKERS
    )
    devices = []
    for device_id, workers in await session.execute(shared):
        order_ids = await session.scalars(
            scoped(
                sa_select(col(AttendanceRecord.order_id))
                .join(Order, col(Order.id) == col(AttendanceRecord.order_id))
                .where(col(AttendanceRecord.device_id) == device_id)
                .distinct()
            ).order_by(col(AttendanceRecord.order_id))
        )
        devices.append(
            SharedDevice(device_id=device_id, workers=int(workers), order_ids=list(order_ids))
        )

    phones = await _shared_phones(session, unit, settings.shared_phone_min_workers)

    flag_query = sa_select(LearningFlag).where(col(LearningFlag.status) == "open")
    if unit is not None:
        flag_query = flag_query.where(col(LearningFlag.unit_code) == unit)
    flags = [
        FlagSignal(
            flag_id=f.id or 0,
            order_id=f.order_id,
            unit_code=f.unit_code,
            kind=f.kind,
            detail=f.detail,
        )
        for f in (await session.scalars(flag_query.order_by(col(LearningFlag.id)))).all()
    ]

    now = utcnow()
    no_claim = ~exists().where(
        and_(col(Claim.order_id) == col(Order.id), col(Claim.kind) == "training")
    )
    due_query = scoped(
        sa_select(
            col(Order.id), col(Order.unit_code), col(Order.institution_id), func.min(OrderEvent.at)
        )
        .join(OrderEvent, col(OrderEvent.order_id) == col(Order.id))
        .where(
            col(Order.status).in_(("completed", "certified")),
            col(OrderEvent.to_status) == "completed",
            no_claim,
        )
    ).group_by(col(Order.id), col(Order.unit_code), col(Order.institution_id))
    claims_due = []
    for order_id, unit_code, institution_id, completed_at in await session.execute(due_query):
        if completed_at.tzinfo is None:
            completed_at = completed_at.replace(tzinfo=dt.UTC)
        due = completed_at + dt.timedelta(days=settings.claim_deadline_days)
        if now <= due <= now + dt.timedelta(days=CLAIM_DUE_WINDOW_DAYS):
            claims_due.append(
                ClaimDue(
                    order_id=order_id,
                    unit_code=unit_code,
                    institution_id=institution_id,
                    due_at=due,
                    days_left=(due - now).days,
                )
            )
    return WatchSignals(
        pass_rates=pass_rates,
        shared_devices=devices,
        shared_phones=phones,
        learning_flags=flags,
        claims_due=claims_due,
    )


async def _shared_phones(
    session: AsyncSession, unit: str | None, min_workers: int
) -> list[SharedPhone]:
    """Phones (by keyed hash) on `min_workers` or more worker profiles. A unit officer sees a
    phone when its profiles, counted in their unit, reach the threshold. Profiles saved
    before enrolment_0004 have no hash yet and are counted once saved again."""
    base = sa_select(col(WorkerProfile.phone_hash)).where(
        col(WorkerProfile.phone_hash).is_not(None)
    )
    if unit is not None:
        base = base.where(col(WorkerProfile.unit_code) == unit)
    hashes = list(
        await session.scalars(
            base.group_by(col(WorkerProfile.phone_hash)).having(func.count() >= min_workers)
        )
    )
    phones = []
    for digest in hashes:
        profiles = sa_select(col(WorkerProfile.worker_id), col(WorkerProfile.phone_masked)).where(
            col(WorkerProfile.phone_hash) == digest
        )
        if unit is not None:
            profiles = profiles.where(col(WorkerProfile.unit_code) == unit)
        rows = (await session.execute(profiles.order_by(col(WorkerProfile.worker_id)))).all()
        worker_ids = [int(r[0]) for r in rows]
        orders = sa_select(col(Order.id)).where(col(Order.worker_id).in_(worker_ids))
        if unit is not None:
            orders = orders.where(col(Order.unit_code) == unit)
        order_ids = [i for i in await session.scalars(orders.order_by(col(Order.id))) if i]
        phones.append(
            SharedPhone(
                phone_masked=rows[0][1],
                workers=len(worker_ids),
                worker_ids=worker_ids,
                order_ids=order_ids,
            )
        )
    phones.sort(key=lambda p: p.worker_ids[0])
    return phones
