"""The tamper-evident log: every claim transition and ledger entry, chained by a keyed hash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Text, UniqueConstraint
from sqlmodel import Field

from services.enrolment.db import Base


class AuditEntry(Base, table=True):
    """`mac` = HMAC(key, previous entry's mac | seq | kind | ref_id | payload); the key is a
    setting (JINENG_AUDIT_KEY), never in the database, so a rewrite cannot re-chain."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_audit_entries_kind_ref_id"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=32)
    ref_id: int
    payload: str = Field(sa_type=Text)
    mac: str = Field(max_length=64)
    at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class AuditHead(Base, table=True):
    """The chain's last entry: one row, locked by every appender so the chain is a line."""

    __tablename__ = "audit_heads"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    mac: str = Field(default="", max_length=64)
