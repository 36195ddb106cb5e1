"""Enrolment in depth: worker group facts, demand states, notifications, order delivery,
rule versions and timeline actions, timed learning sessions and anomaly flags.

Revision ID: enrolment_0002
Revises: enrolment_0001
Create Date: 2026-11-29 17:12:00.291598
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

ORDER_STATUSES_OLD = "('selected','accepted','completed','certified','claimed','paid','cancelled','rejected','dropped','failed')"
ORDER_STATUSES_NEW = "('selected','accepted','in_training','completed','certified','claimed','paid','cancelled','rejected','dropped','failed','expired')"
HOLDS_OLD = "status NOT IN ('cancelled','rejected','failed')"
HOLDS_NEW = "status NOT IN ('cancelled','rejected','failed','expired')"
REQUEST_STATUSES_NEW = "('open','matched','fulfilled','withdrawn','expired')"
OFFERING_STATUSES_NEW = "('listed','closed','withdrawn')"

revision: str = 'enrolment_0002'
down_revision: str | None = 'enrolment_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('offering_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('offering_matched','offering_withdrawn','order_expired')", name=op.f('ck_notifications_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index('ix_notifications_worker_read', ['worker_id', 'read_at'], unique=False)

    op.create_table('learning_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('overlapping_ends','daily_hours','online_during_classroom','shared_device')", name=op.f('ck_learning_flags_kind_known')),
    sa.CheckConstraint("status = 'open' OR (resolved_by IS NOT NULL AND resolution_reason IS NOT NULL)", name=op.f('ck_learning_flags_resolution_recorded')),
    sa.CheckConstraint("status IN ('open','cleared','confirmed')", name=op.f('ck_learning_flags_status_known')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_learning_flags_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_flags'))
    )
    with op.batch_alter_table('learning_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_flags_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_flags_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_flags_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index('uq_learning_flags_open', ['order_id', 'kind'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_id', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_attendance_records_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_attendance_records_worker_started', ['worker_id', 'started_at'], unique=False)
        batch_op.create_check_constraint('session_ordered', "started_at IS NULL OR (ended_at IS NOT NULL AND started_at < ended_at)")
    op.execute(
        "UPDATE attendance_records SET worker_id = "
        "(SELECT orders.worker_id FROM orders WHERE orders.id = attendance_records.order_id)"
    )

    with op.batch_alter_table('offerings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.drop_constraint(op.f('ck_offerings_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', f"status IN {OFFERING_STATUSES_NEW}")
        batch_op.create_check_constraint('programme_known', "programme IN ('spread_wings','veteran','poor_labour')")

    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), server_default='', nullable=False))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_version', sqlmodel.sql.sqltypes.AutoString(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decision_facts', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('delivery', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('delivery_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('delivery_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_orders_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', f"status IN {ORDER_STATUSES_NEW}")
        batch_op.create_check_constraint('delivery_known', "delivery IN ('confirmed','disputed')")
        # Expired orders free the occupation+level too: the partial index's predicate grows.
        batch_op.drop_index('uq_orders_worker_occupation_level')
        batch_op.create_index('uq_orders_worker_occupation_level', ['worker_id', 'occupation_code', 'level'], unique=True, sqlite_where=sa.text(HOLDS_NEW), postgresql_where=sa.text(HOLDS_NEW))

    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matched_offering_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_training_requests_demand', ['status', 'occupation_code', 'level'], unique=False)
        batch_op.drop_constraint(op.f('ck_training_requests_status_known'), type_='check')
    # 'closed' meant the worker went on to select an offering.
    op.execute("UPDATE training_requests SET status = 'fulfilled' WHERE status = 'closed'")
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.create_check_constraint('status_known', f"status IN {REQUEST_STATUSES_NEW}")

    with op.batch_alter_table('worker_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer_credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True))
        batch_op.add_column(sa.Column('unemployment_insurance_months', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('discharged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('registered_poor', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.create_check_constraint('insurance_months_range', 'unemployment_insurance_months BETWEEN 0 AND 1200')



def downgrade() -> None:
    with op.batch_alter_table('worker_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_worker_profiles_insurance_months_range'), type_='check')
        batch_op.drop_column('registered_poor')
        batch_op.drop_column('discharged_on')
        batch_op.drop_column('unemployment_insurance_months')
        batch_op.drop_column('employer_credit_code')

    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_training_requests_status_known'), type_='check')
    op.execute("UPDATE training_requests SET status = 'open' WHERE status = 'matched'")
    op.execute("UPDATE training_requests SET status = 'closed' WHERE status <> 'open'")
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.create_check_constraint('status_known', "status IN ('open','closed')")
        batch_op.drop_index('ix_training_requests_demand')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('order_id')
        batch_op.drop_column('matched_offering_id')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_status_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_orders_delivery_known'), type_='check')
        batch_op.drop_index('uq_orders_worker_occupation_level')
    # The old states: training had started, and an expired order was in effect cancelled.
    op.execute("UPDATE orders SET status = 'accepted' WHERE status = 'in_training'")
    op.execute("UPDATE orders SET status = 'cancelled' WHERE status = 'expired'")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_check_constraint('status_known', f"status IN {ORDER_STATUSES_OLD}")
        batch_op.create_index('uq_orders_worker_occupation_level', ['worker_id', 'occupation_code', 'level'], unique=True, sqlite_where=sa.text(HOLDS_OLD), postgresql_where=sa.text(HOLDS_OLD))
        batch_op.drop_column('delivery_at')
        batch_op.drop_column('delivery_reason')
        batch_op.drop_column('delivery')
        batch_op.drop_column('decision_facts')
        batch_op.drop_column('rule_version')

    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_column('action')

    with op.batch_alter_table('offerings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_offerings_status_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_offerings_programme_known'), type_='check')
    op.execute("UPDATE offerings SET status = 'closed' WHERE status = 'withdrawn'")
    with op.batch_alter_table('offerings', schema=None) as batch_op:
        batch_op.create_check_constraint('status_known', "status IN ('listed','closed')")
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('programme')

    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attendance_records_session_ordered'), type_='check')
        batch_op.drop_index('ix_attendance_records_worker_started')
        batch_op.drop_index(batch_op.f('ix_attendance_records_device_id'))
        batch_op.drop_column('device_id')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('worker_id')

    with op.batch_alter_table('learning_flags', schema=None) as batch_op:
        batch_op.drop_index('uq_learning_flags_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_learning_flags_worker_id'))
        batch_op.drop_index(batch_op.f('ix_learning_flags_unit_code'))
        batch_op.drop_index(batch_op.f('ix_learning_flags_order_id'))

    op.drop_table('learning_flags')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_worker_read')
        batch_op.drop_index(batch_op.f('ix_notifications_worker_id'))

    op.drop_table('notifications')
