"""Certificates: one per passed result (the database enforces it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlmodel import Field

from services.evaluation.db import Base, in_list

STATUSES = ("valid", "revoked")


class Certificate(Base, table=True):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        # A revoked certificate always says when and why; a valid one never does.
        CheckConstraint(
            "(status = 'revoked') = (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL)",
            name="revocation_recorded",
        ),
        # At most one valid certificate per order (a correction never leaves two standing).
        Index(
            "uq_certificates_valid_order",
            "order_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    result_id: int = Field(
        sa_column=Column(Integer, ForeignKey("results.id"), nullable=False, unique=True)
    )
    order_id: int | None = Field(default=None, sa_column=Column(Integer))
    candidate_id: int | None = Field(default=None, sa_column=Column(Integer))
    worker_id: int | None = Field(default=None, sa_column=Column(Integer, index=True))
    body_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("evaluation_bodies.id"))
    )
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    occupation_name: str | None = Field(default=None, sa_column=Column(String(100)))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    holder_name_masked: str = Field(sa_column=Column(String(64), nullable=False))
    issued_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(default="valid", sa_column=Column(String(16), nullable=False))
    revoked_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
