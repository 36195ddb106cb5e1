"""Response models of the notification feed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.enrolment.fields import UtcDatetime


class NotificationPublic(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    offering_id: int | None
    order_id: int | None
    request_id: int | None
    params: dict[str, Any]
    read: bool
    read_at: UtcDatetime | None
    created_at: UtcDatetime


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    total: int
    unread: int
    limit: int
    offset: int


class MarkedRead(BaseModel):
    marked: int
