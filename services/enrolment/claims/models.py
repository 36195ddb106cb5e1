"""Subsidy claims (order 5) and their events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, DateTime, UniqueConstraint
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import FUNDING_SOURCES, sql_in

CLAIM_STATUSES = ("submitted", "approved", "paid", "rejected")
CLAIM_KINDS = ("training",)


class Claim(Base, table=True):
    __tablename__ = "claims"
    __table_args__ = (
        # DESIGN "Rules": a claim is paid at most once.
        UniqueConstraint("order_id", "kind", name="uq_claims_order_id_kind"),
        CheckConstraint(f"status IN {sql_in(CLAIM_STATUSES)}", name="status_known"),
        CheckConstraint(f"kind IN {sql_in(CLAIM_KINDS)}", name="kind_known"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint(f"funding_source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
        # DESIGN "Rules": the person who approves a claim is not the person who pays it.
        CheckConstraint(
            "paid_by IS NULL OR approved_by IS NULL OR paid_by <> approved_by",
            name="payer_not_approver",
        ),
        CheckConstraint(
            "status <> 'paid' OR (paid_by IS NOT NULL AND approved_by IS NOT NULL)",
            name="paid_has_people",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    kind: str = Field(default="training", max_length=16)
    institution_id: int = Field(index=True)
    worker_id: int = Field(index=True)
    unit_code: str = Field(max_length=32, index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    funding_source: str = Field(max_length=32)
    status: str = Field(default="submitted", max_length=16)
    submitted_by: int
    approved_by: int | None = None
    approved_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    paid_by: int | None = None
    paid_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reason: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class ClaimEvent(Base, table=True):
    __tablename__ = "claim_events"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_id: int
    actor_role: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    at: dt.datetime = Field(sa_type=DateTime(timezone=True))
