"""The worker's notification feed (polled by the app and the WeChat front end)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, DateTime, Index
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import sql_in

NotificationKind = Literal["offering_matched", "offering_withdrawn", "order_expired"]
NOTIFICATION_KINDS: tuple[str, ...] = get_args(NotificationKind)


class Notification(Base, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(NOTIFICATION_KINDS)}", name="kind_known"),
        Index("ix_notifications_worker_read", "worker_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(index=True)
    kind: str = Field(max_length=32)
    offering_id: int | None = None
    order_id: int | None = None
    request_id: int | None = None
    # Values for the message templates (notifications/service.py), rendered per language.
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    read_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
