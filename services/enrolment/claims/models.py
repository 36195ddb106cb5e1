"""Subsidy claims (order 5), their events, objections during the public notice, and
payment batches."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import FUNDING_SOURCES, sql_in

CLAIM_STATUSES = (
    "submitted",
    "reviewed",
    "in_public_notice",
    "approved",
    "paid",
    "rejected",
    "clawed_back",
)
# PLAN §二.(二).11: training, skill-evaluation and living-cost subsidies.
CLAIM_KINDS = ("training", "evaluation", "living_cost")
PAYEE_KINDS = ("institution", "worker")
OBJECTION_STATUSES = ("open", "upheld", "dismissed")
BATCH_ITEM_STATUSES = ("pending", "paid", "failed")

_LIVING_COST_HELD = "kind = 'living_cost' AND status <> 'rejected'"


class Claim(Base, table=True):
    __tablename__ = "claims"
    __table_args__ = (
        # One claim per order and kind; a claim is paid at most once (DESIGN "Rules").
        UniqueConstraint("order_id", "kind", name="uq_claims_order_id_kind"),
        CheckConstraint(f"status IN {sql_in(CLAIM_STATUSES)}", name="status_known"),
        CheckConstraint(f"kind IN {sql_in(CLAIM_KINDS)}", name="kind_known"),
        CheckConstraint(f"payee_kind IN {sql_in(PAYEE_KINDS)}", name="payee_kind_known"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint(f"funding_source IN {sql_in(FUNDING_SOURCES)}", name="source_known"),
        # Maker-checker: the reviewer does not approve, the approver does not pay, and a
        # countersigning finance officer is not the payer.
        CheckConstraint(
            "reviewed_by IS NULL OR approved_by IS NULL OR reviewed_by <> approved_by",
            name="reviewer_not_approver",
        ),
        CheckConstraint(
            "paid_by IS NULL OR approved_by IS NULL OR paid_by <> approved_by",
            name="payer_not_approver",
        ),
        CheckConstraint(
            "countersigned_by IS NULL OR paid_by IS NULL OR countersigned_by <> paid_by",
            name="countersigner_not_payer",
        ),
        CheckConstraint(
            "status <> 'paid' OR (paid_by IS NOT NULL AND approved_by IS NOT NULL)",
            name="paid_has_people",
        ),
        # Above the countersign threshold, payment needs a second finance officer.
        CheckConstraint(
            "status NOT IN ('paid', 'clawed_back') OR NOT needs_countersign"
            " OR countersigned_by IS NOT NULL",
            name="large_paid_countersigned",
        ),
        # PLAN §二.(二).11 / issue 6: the living-cost subsidy at most once a year per worker.
        Index(
            "uq_claims_living_cost_worker_year",
            "worker_id",
            "subsidy_year",
            unique=True,
            sqlite_where=text(_LIVING_COST_HELD),
            postgresql_where=text(_LIVING_COST_HELD),
        ),
        # The unit report sums one unit's claims paid in a period.
        Index("ix_claims_unit_paid", "unit_code", "paid_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    kind: str = Field(default="training", max_length=16)
    institution_id: int = Field(index=True)
    worker_id: int = Field(index=True)
    unit_code: str = Field(max_length=32, index=True)
    payee_kind: str = Field(
        default="institution", max_length=16, sa_column_kwargs={"server_default": "institution"}
    )
    payee_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    amount_fen: int = Field(sa_type=BigInteger)
    funding_source: str = Field(max_length=32)
    subsidy_year: int | None = None
    status: str = Field(default="submitted", max_length=16)
    submitted_by: int
    reviewed_by: int | None = None
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # The public notice runs through this Asia/Shanghai date (inclusive).
    notice_ends_on: dt.date | None = None
    approved_by: int | None = None
    approved_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    needs_countersign: bool = Field(
        default=False, sa_type=Boolean, sa_column_kwargs={"server_default": false()}
    )
    countersigned_by: int | None = None
    countersigned_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
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


class ClaimObjection(Base, table=True):
    """An objection filed during the public notice (公示); government upholds or dismisses it."""

    __tablename__ = "claim_objections"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(OBJECTION_STATUSES)}", name="status_known"),
        CheckConstraint("(status = 'open') = (decided_by IS NULL)", name="decided_unless_open"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id", index=True)
    filed_by: int
    filed_role: str = Field(max_length=16)
    reason: str = Field(max_length=500)
    status: str = Field(default="open", max_length=16)
    decided_by: int | None = None
    decision: str | None = Field(default=None, max_length=500)
    decided_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class PaymentBatch(Base, table=True):
    """Many approved claims paid in one call; a retry with the same key resumes it."""

    __tablename__ = "payment_batches"
    __table_args__ = (UniqueConstraint("created_by", "key", name="uq_payment_batches_by_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    created_by: int
    total: int
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class PaymentBatchItem(Base, table=True):
    __tablename__ = "payment_batch_items"
    __table_args__ = (
        PrimaryKeyConstraint("batch_id", "claim_id", name="pk_payment_batch_items"),
        CheckConstraint(f"status IN {sql_in(BATCH_ITEM_STATUSES)}", name="status_known"),
    )

    batch_id: int = Field(foreign_key="payment_batches.id")
    claim_id: int = Field(foreign_key="claims.id")
    position: int
    status: str = Field(default="pending", max_length=16)
    code: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, max_length=500)
