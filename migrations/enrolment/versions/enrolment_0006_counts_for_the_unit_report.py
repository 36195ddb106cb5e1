"""Enrolment: the unit report's counts (docs/PERFORMANCE.md, "Scale: one million orders").

`unit_step_counts` holds, per unit, Asia/Shanghai day, step (selected, accepted, completed,
certified, failed, dropped), target group, trade and training type, how many orders took
that step; the service increments it in the transaction of each step
(services/enrolment/stats/counts.py) and the unit report reads it instead of every order and
event of the period. Backfilled here from the existing orders and events exactly as the
report counted them until now: selections by the order's creation, steps by their events
(one a step, a step never re-entered), the training type the offering's. The group of the
existing rows is the worker's profile group now: no earlier group is recorded anywhere.

Revision ID: enrolment_0006
Revises: enrolment_0005
Create Date: 2026-11-29 22:40:42
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'enrolment_0006'
down_revision: str | None = 'enrolment_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "unit_code, day, step, target_group, occupation_code, level, training_type,"
    " occupation_name"
)


def _day(column: str) -> str:
    """The Asia/Shanghai calendar date of a UTC timestamp column, in this dialect."""
    if op.get_bind().dialect.name == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'Asia/Shanghai') AS DATE)"
    # SQLite keeps the UTC time as text; Shanghai has been UTC+8 all year since 1991.
    return f"date({column}, '+8 hours')"


def backfill_sql() -> str:
    joined = (
        " JOIN offerings f ON f.id = o.offering_id"
        " LEFT JOIN worker_profiles p ON p.worker_id = o.worker_id"
    )
    facts = (
        "COALESCE(p.target_group, 'unknown') AS target_group, o.occupation_code, o.level,"
        " f.training_type, o.occupation_name"
    )
    return (
        f"INSERT INTO unit_step_counts ({COLUMNS}, n)"
        f" SELECT {COLUMNS}, COUNT(*) FROM ("
        f"  SELECT o.unit_code, {_day('o.created_at')} AS day, 'selected' AS step, {facts}"
        f"  FROM orders o{joined}"
        "  UNION ALL"
        f"  SELECT o.unit_code, {_day('e.at')} AS day, e.to_status AS step, {facts}"
        f"  FROM order_events e JOIN orders o ON o.id = e.order_id{joined}"
        "  WHERE e.to_status IN ('accepted', 'completed', 'certified', 'failed', 'dropped')"
        "  AND e.from_status <> e.to_status"
        f") AS counted GROUP BY {COLUMNS}"
        # Written in the order the report reads it: a unit's period is on few pages.
        " ORDER BY unit_code, day"
    )


def upgrade() -> None:
    op.create_table(
        'unit_step_counts',
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('target_group', sa.String(length=32), nullable=False),
        sa.Column('occupation_code', sa.String(length=32), nullable=False),
        sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('training_type', sa.String(length=32), nullable=False),
        sa.Column('occupation_name', sa.String(length=200), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.CheckConstraint('n > 0', name=op.f('ck_unit_step_counts_n_positive')),
        sa.PrimaryKeyConstraint(
            'unit_code', 'day', 'step', 'target_group', 'occupation_code', 'level',
            'training_type', 'occupation_name', name=op.f('pk_unit_step_counts'),
        ),
    )
    op.execute(backfill_sql())
    with op.batch_alter_table('unit_step_counts') as batch:
        batch.create_index('ix_unit_step_counts_day', ['day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unit_step_counts') as batch:
        batch.drop_index('ix_unit_step_counts_day')
    op.drop_table('unit_step_counts')
