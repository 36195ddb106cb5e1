"""Enrolment: indexes for the unit report at scale (docs/PERFORMANCE.md, "Scale: one million
orders"). The report reads one unit's requests, orders, order events and paid claims in a
period; each now has an index on (unit_code, time). Order events get their order's unit
(backfilled here, written by the service from now on), so a unit's steps are found without
joining every unit's orders of the period.

Revision ID: enrolment_0005
Revises: enrolment_0004
Create Date: 2026-11-29 19:52:05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'enrolment_0005'
down_revision: str | None = 'enrolment_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('order_events') as batch:
        batch.add_column(sa.Column('unit_code', sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE order_events SET unit_code ="
        " (SELECT orders.unit_code FROM orders WHERE orders.id = order_events.order_id)"
    )
    with op.batch_alter_table('order_events') as batch:
        batch.create_index('ix_order_events_unit_at', ['unit_code', 'at'], unique=False)
    with op.batch_alter_table('orders') as batch:
        batch.create_index('ix_orders_unit_created', ['unit_code', 'created_at'], unique=False)
    with op.batch_alter_table('training_requests') as batch:
        batch.create_index(
            'ix_training_requests_unit_created', ['unit_code', 'created_at'], unique=False
        )
    with op.batch_alter_table('claims') as batch:
        batch.create_index('ix_claims_unit_paid', ['unit_code', 'paid_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims') as batch:
        batch.drop_index('ix_claims_unit_paid')
    with op.batch_alter_table('training_requests') as batch:
        batch.drop_index('ix_training_requests_unit_created')
    with op.batch_alter_table('orders') as batch:
        batch.drop_index('ix_orders_unit_created')
    with op.batch_alter_table('order_events') as batch:
        batch.drop_index('ix_order_events_unit_at')
        batch.drop_column('unit_code')
