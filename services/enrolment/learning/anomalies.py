"""Anomaly checks on learning records, run in the transaction that stores each record —
the patterns of faked learning the 2022 national audit found (issue 4 §6):

- `overlapping_ends`: two online ends (pc, app, wechat) learning at the same time;
- `daily_hours`: more than JINENG_MAX_DAILY_LEARNING_HOURS in one day, all channels;
- `online_during_classroom`: online learning while sitting in a classroom session;
- `shared_device`: one device learning for more than JINENG_DEVICE_MAX_WORKERS workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import utcnow
from services.enrolment.learning import repository
from services.enrolment.orders import repository as orders
from services.enrolment.orders.models import AttendanceRecord
from services.enrolment.orders.rules import WORKER_CHANNELS


@dataclass(frozen=True)
class Thresholds:
    max_daily_hours: float
    device_max_workers: int


async def _flag(
    session: AsyncSession, order_id: int, kind: str, detail: str, record_id: int | None
) -> bool:
    order = await orders.get_order(session, order_id, [])
    assert order is not None
    return await repository.raise_flag(
        session,
        order_id=order_id,
        worker_id=order.worker_id,
        unit_code=order.unit_code,
        kind=kind,
        detail=detail,
        record_id=record_id,
        at=utcnow(),
    )


async def check_record(
    session: AsyncSession, record: AttendanceRecord, limits: Thresholds
) -> list[str]:
    """Flag what this new record reveals; return the kinds raised on the record's order."""
    assert record.id is not None
    raised: list[tuple[int, str]] = []

    async def flag(order_id: int, kind: str, detail: str) -> None:
        await _flag(session, order_id, kind, detail, record.id)
        raised.append((order_id, kind))

    online = record.channel in WORKER_CHANNELS
    if record.started_at is not None:
        if online:
            for other in await repository.overlapping(
                session, record, WORKER_CHANNELS, exclude_channel=record.channel
            ):
                detail = (
                    f"{record.channel} session {record.id} overlaps {other.channel} "
                    f"session {other.id}"
                )
                await flag(record.order_id, "overlapping_ends", detail)
                await flag(other.order_id, "overlapping_ends", detail)
            for lesson in await repository.overlapping(session, record, ("classroom",)):
                detail = f"online session {record.id} during classroom session {lesson.id}"
                await flag(record.order_id, "online_during_classroom", detail)
        else:
            for other in await repository.overlapping(session, record, WORKER_CHANNELS):
                detail = f"online session {other.id} during classroom session {record.id}"
                await flag(other.order_id, "online_during_classroom", detail)
    total = await repository.hours_on(session, record.worker_id, record.attended_on)
    if total > limits.max_daily_hours + 1e-9:
        detail = (
            f"{total:g} hours learnt on {record.attended_on}, more than {limits.max_daily_hours:g}"
        )
        await flag(record.order_id, "daily_hours", detail)
    if online and record.device_id is not None:
        await repository.lock_device(session, record.device_id)
        workers = await repository.device_workers(session, record.device_id)
        if workers > limits.device_max_workers:
            detail = f"device {record.device_id} learnt for {workers} workers"
            for order_id in await repository.device_orders(session, record.device_id):
                await flag(order_id, "shared_device", detail)
    return sorted({kind for order_id, kind in raised if order_id == record.order_id})
