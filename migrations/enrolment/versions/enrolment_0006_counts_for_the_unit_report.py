"""Enrolment: the unit report's counts (docs/PERFORMANCE.md, "Scale: one million orders").

`unit_step_counts` holds, per unit, step (selected, accepted, completed, certified, failed,
dropped) and Asia/Shanghai day and month, how many orders took that step, by target group
and by trade with training type; the service increments it in the transaction of each step
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

KEY = (
    "unit_code, period, starts_on, dimension, step, target_group, occupation_code, level,"
    " training_type, occupation_name"
)
# A step's rows: by group (no trade) and by trade with its training type (no group).
BY_GROUP = ("'group'", "target_group, '', 0, '', ''", "target_group")
BY_TRADE = (
    "'trade'",
    "'', occupation_code, level, training_type, occupation_name",
    "occupation_code, level, training_type, occupation_name",
)


def backfill_sql(dialect: str) -> str:
    """The counts of every existing order and order event, as the report counted them. Also
    run by bench/scale_data.py after loading its rows (one copy of this SQL)."""
    postgres = dialect == "postgresql"

    def local_day(column: str) -> str:
        # The Asia/Shanghai date of a UTC timestamp; SQLite keeps the UTC time as text, and
        # Shanghai has been UTC+8 all year since 1991.
        if postgres:
            return f"CAST(({column} AT TIME ZONE 'Asia/Shanghai') AS DATE)"
        return f"date({column}, '+8 hours')"

    month = "CAST(date_trunc('month', day) AS DATE)" if postgres else "date(day, 'start of month')"
    joined = (
        " JOIN offerings f ON f.id = o.offering_id"
        " LEFT JOIN worker_profiles p ON p.worker_id = o.worker_id"
    )
    facts = (
        "COALESCE(p.target_group, 'unknown') AS target_group, o.occupation_code, o.level,"
        " f.training_type, o.occupation_name"
    )
    counted = (
        f"SELECT o.unit_code, {local_day('o.created_at')} AS day, 'selected' AS step, {facts}"
        f" FROM orders o{joined}"
        " UNION ALL"
        f" SELECT o.unit_code, {local_day('e.at')} AS day, e.to_status AS step, {facts}"
        f" FROM order_events e JOIN orders o ON o.id = e.order_id{joined}"
        " WHERE e.to_status IN ('accepted', 'completed', 'certified', 'failed', 'dropped')"
        " AND e.from_status <> e.to_status"
    )
    rows = " UNION ALL ".join(
        f"SELECT unit_code, '{period}', {starts}, {dimension}, step, {values}, COUNT(*)"
        f" FROM counted GROUP BY unit_code, {starts}, step, {keys}"
        for period, starts in (("day", "day"), ("month", month))
        for dimension, values, keys in (BY_GROUP, BY_TRADE)
    )
    # Written in the order of the primary key: a unit's month is a few heap pages, not one
    # page a row (the report reads the rows themselves, for n).
    return (
        f"INSERT INTO unit_step_counts ({KEY}, n) WITH counted AS ({counted}) {rows}"
        " ORDER BY 1, 2, 3, 4, 5"
    )


def upgrade() -> None:
    op.create_table(
        'unit_step_counts',
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('dimension', sa.String(length=8), nullable=False),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('target_group', sa.String(length=32), nullable=False),
        sa.Column('occupation_code', sa.String(length=32), nullable=False),
        sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('training_type', sa.String(length=32), nullable=False),
        sa.Column('occupation_name', sa.String(length=200), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.CheckConstraint('n > 0', name=op.f('ck_unit_step_counts_n_positive')),
        sa.CheckConstraint(
            "period IN ('day','month')", name=op.f('ck_unit_step_counts_period_known')
        ),
        sa.CheckConstraint(
            "dimension IN ('group','trade')", name=op.f('ck_unit_step_counts_dimension_known')
        ),
        sa.PrimaryKeyConstraint(
            'unit_code', 'period', 'starts_on', 'dimension', 'step', 'target_group',
            'occupation_code', 'level', 'training_type', 'occupation_name',
            name=op.f('pk_unit_step_counts'),
        ),
    )
    op.execute(backfill_sql(op.get_bind().dialect.name))
    with op.batch_alter_table('unit_step_counts') as batch:
        batch.create_index(
            'ix_unit_step_counts_period_starts', ['period', 'starts_on'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('unit_step_counts') as batch:
        batch.drop_index('ix_unit_step_counts_period_starts')
    op.drop_table('unit_step_counts')
