"""The worker's notification feed: what changed for them, in Chinese or English."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import utcnow
from plumbing.errors import NotFound
from plumbing.principal import Principal, require_role
from services.enrolment.notifications import repository
from services.enrolment.notifications.models import Notification
from services.enrolment.notifications.schemas import (
    MarkedRead,
    NotificationPage,
    NotificationPublic,
)

# kind -> (zh title, zh body, en title, en body); bodies are formatted with the params.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "offering_matched": (
        "有符合您需求的补贴培训班",
        "{institution_name}开设了{occupation_name}（{level}级）培训班，"
        "{starts_on}开课，名额{capacity}个，可以报名了。",
        "A subsidised course matches your request",
        "{institution_name} lists {occupation_name} (level {level}) from {starts_on}, "
        "{capacity} seats: you can select it now.",
    ),
    "offering_withdrawn": (
        "您报名的培训班已撤销",
        "{occupation_name}（{level}级）培训班已被撤销，订单已取消，名额和年度补贴次数已退回。"
        "原因：{reason}",
        "A course you selected was withdrawn",
        "The {occupation_name} (level {level}) course was withdrawn; your order is cancelled "
        "and your seat and yearly slot are given back. Reason: {reason}",
    ),
    "order_expired": (
        "您的报名已过期",
        "培训机构未在{days}天内受理您的{occupation_name}（{level}级）报名，订单已过期，"
        "年度补贴次数已退回，可以另选培训班。",
        "Your selection expired",
        "The institution did not accept your {occupation_name} (level {level}) order within "
        "{days} days; it expired and your yearly slot is given back.",
    ),
}


def notification(
    worker_id: int,
    kind: str,
    params: dict[str, Any],
    *,
    offering_id: int | None = None,
    order_id: int | None = None,
    request_id: int | None = None,
) -> dict[str, Any]:
    """The row of one notification, for repository.add_many (written with the change)."""
    return {
        "worker_id": worker_id,
        "kind": kind,
        "params": params,
        "offering_id": offering_id,
        "order_id": order_id,
        "request_id": request_id,
        "created_at": utcnow(),
    }


def to_public(row: Notification, english: bool) -> NotificationPublic:
    assert row.id is not None
    zh_title, zh_body, en_title, en_body = MESSAGES[row.kind]
    title, body = (en_title, en_body) if english else (zh_title, zh_body)
    return NotificationPublic(
        id=row.id,
        kind=row.kind,
        title=title,
        body=body.format(**row.params),
        offering_id=row.offering_id,
        order_id=row.order_id,
        request_id=row.request_id,
        params=row.params,
        read=row.read_at is not None,
        read_at=row.read_at,
        created_at=row.created_at,
    )


async def list_notifications(
    session: AsyncSession,
    principal: Principal,
    unread_only: bool,
    limit: int,
    offset: int,
    english: bool,
) -> NotificationPage:
    """The worker's feed, newest first, with the unread count (for a badge)."""
    require_role(principal, "worker")
    rows, total, unread = await repository.list_for(
        session, principal.id, unread_only, limit, offset
    )
    return NotificationPage(
        items=[to_public(r, english) for r in rows],
        total=total,
        unread=unread,
        limit=limit,
        offset=offset,
    )


async def mark_read(
    session: AsyncSession, principal: Principal, notification_id: int, english: bool
) -> NotificationPublic:
    """Mark one notification read; marking it again changes nothing."""
    require_role(principal, "worker")
    if await repository.get(session, principal.id, notification_id) is None:
        raise NotFound("notification", notification_id)
    await repository.mark_read(session, principal.id, notification_id, utcnow())
    await session.commit()
    row = await repository.get(session, principal.id, notification_id)
    assert row is not None
    return to_public(row, english)


async def mark_all_read(session: AsyncSession, principal: Principal) -> MarkedRead:
    """Mark every unread notification of the worker read."""
    require_role(principal, "worker")
    marked = await repository.mark_read(session, principal.id, None, utcnow())
    await session.commit()
    return MarkedRead(marked=marked)
