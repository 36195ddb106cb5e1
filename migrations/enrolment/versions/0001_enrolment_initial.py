"""Enrolment: worker profiles, requests, offerings, orders, attendance, claims, the special account.

Revision ID: enrolment_0001
Revises:
Create Date: 2026-11-28 13:54:27.482755
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'enrolment_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('deposits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('deposited_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('employment_subsidy','entrepreneurship','special_training','employee_education','unemployment_insurance')", name=op.f('ck_deposits_source_known')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_deposits_amount_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposits'))
    )
    op.create_table('fund_balances',
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('balance_fen', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('employment_subsidy','entrepreneurship','special_training','employee_education','unemployment_insurance')", name=op.f('ck_fund_balances_source_known')),
    sa.CheckConstraint('balance_fen >= 0', name=op.f('ck_fund_balances_balance_not_negative')),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_fund_balances'))
    )
    op.create_table('offerings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('institution_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('occupation_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('occupation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('subsidy_fen', sa.BigInteger(), nullable=False),
    sa.Column('catalogue_item_id', sa.Integer(), nullable=False),
    sa.Column('funding_source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('listed_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("funding_source IN ('employment_subsidy','entrepreneurship','special_training','employee_education','unemployment_insurance')", name=op.f('ck_offerings_source_known')),
    sa.CheckConstraint("status IN ('listed','closed')", name=op.f('ck_offerings_status_known')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_offerings_capacity_positive')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_offerings_hours_positive')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_offerings_level_range')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_offerings_seats_in_capacity')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_offerings_dates_ordered')),
    sa.CheckConstraint('subsidy_fen >= 0', name=op.f('ck_offerings_subsidy_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offerings'))
    )
    with op.batch_alter_table('offerings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offerings_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index('ix_offerings_occupation_level', ['occupation_code', 'level'], unique=False)
        batch_op.create_index(batch_op.f('ix_offerings_unit_code'), ['unit_code'], unique=False)

    op.create_table('training_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open','closed')", name=op.f('ck_training_requests_status_known')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_training_requests_level_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_requests'))
    )
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_requests_occupation_code'), ['occupation_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_worker_id'), ['worker_id'], unique=False)

    op.create_table('worker_profiles',
    sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('id_number_cipher', sa.Text(), nullable=False),
    sa.Column('id_number_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('id_number_masked', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_cipher', sa.Text(), nullable=False),
    sa.Column('phone_cipher', sa.Text(), nullable=False),
    sa.Column('phone_masked', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('target_group', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('receives_pension', sa.Boolean(), nullable=False),
    sa.Column('birth_on', sa.Date(), nullable=False),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sex IN ('male','female')", name=op.f('ck_worker_profiles_sex_known')),
    sa.CheckConstraint("target_group IN ('enterprise_employee','unemployed','college_student','migrant_worker','poor_labour','farmer','rural_leader','veteran','disabled','prisoner_rehab','special_plan')", name=op.f('ck_worker_profiles_group_known')),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_profiles')),
    sa.UniqueConstraint('id_number_hash', name=op.f('uq_worker_profiles_id_number_hash'))
    )
    op.create_table('worker_year_counts',
    sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count BETWEEN 0 AND 3', name=op.f('ck_worker_year_counts_count_within_cap')),
    sa.PrimaryKeyConstraint('worker_id', 'year', name=op.f('pk_worker_year_counts'))
    )
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('worker_name_masked', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('offering_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('institution_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('occupation_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('occupation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('attended_hours', sa.Float(), nullable=False),
    sa.Column('subsidy_fen', sa.BigInteger(), nullable=False),
    sa.Column('subsidy_year', sa.Integer(), nullable=False),
    sa.Column('funding_source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('certificate_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("funding_source IN ('employment_subsidy','entrepreneurship','special_training','employee_education','unemployment_insurance')", name=op.f('ck_orders_source_known')),
    sa.CheckConstraint("status IN ('selected','accepted','completed','certified','claimed','paid','cancelled','rejected','dropped','failed')", name=op.f('ck_orders_status_known')),
    sa.CheckConstraint('attended_hours >= 0', name=op.f('ck_orders_attended_not_negative')),
    sa.CheckConstraint('subsidy_fen >= 0', name=op.f('ck_orders_subsidy_not_negative')),
    sa.ForeignKeyConstraint(['offering_id'], ['offerings.id'], name=op.f('fk_orders_offering_id_offerings')),
    sa.ForeignKeyConstraint(['request_id'], ['training_requests.id'], name=op.f('fk_orders_request_id_training_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_offering_id'), ['offering_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index('uq_orders_worker_occupation_level', ['worker_id', 'occupation_code', 'level'], unique=True, sqlite_where=sa.text("status NOT IN ('cancelled','rejected','failed')"), postgresql_where=sa.text("status NOT IN ('cancelled','rejected','failed')"))

    op.create_table('attendance_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('attended_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('classroom','pc','app','wechat')", name=op.f('ck_attendance_records_channel_known')),
    sa.CheckConstraint('hours > 0 AND hours <= 12', name=op.f('ck_attendance_records_hours_range')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_attendance_records_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_records'))
    )
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_records_order_id'), ['order_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('funding_source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_by', sa.Integer(), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("funding_source IN ('employment_subsidy','entrepreneurship','special_training','employee_education','unemployment_insurance')", name=op.f('ck_claims_source_known')),
    sa.CheckConstraint("kind IN ('training')", name=op.f('ck_claims_kind_known')),
    sa.CheckConstraint("status <> 'paid' OR (paid_by IS NOT NULL AND approved_by IS NOT NULL)", name=op.f('ck_claims_paid_has_people')),
    sa.CheckConstraint("status IN ('submitted','approved','paid','rejected')", name=op.f('ck_claims_status_known')),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_claims_amount_not_negative')),
    sa.CheckConstraint('paid_by IS NULL OR approved_by IS NULL OR paid_by <> approved_by', name=op.f('ck_claims_payer_not_approver')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_claims_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('order_id', 'kind', name='uq_claims_order_id_kind')
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_worker_id'), ['worker_id'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_events_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_events_order_id'), ['order_id'], unique=False)

    op.create_table('claim_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_events_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_events'))
    )
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_events_claim_id'), ['claim_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('txn_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('deposit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('employment_subsidy','entrepreneurship','special_training','employee_education','unemployment_insurance')", name=op.f('ck_ledger_entries_source_known')),
    sa.CheckConstraint('amount_fen <> 0', name=op.f('ck_ledger_entries_amount_not_zero')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_ledger_entries_claim_id_claims')),
    sa.ForeignKeyConstraint(['deposit_id'], ['deposits.id'], name=op.f('fk_ledger_entries_deposit_id_deposits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('claim_id', 'account', name='uq_ledger_entries_claim_id_account'),
    sa.UniqueConstraint('deposit_id', 'account', name='uq_ledger_entries_deposit_id_account')
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_txn_id'), ['txn_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_txn_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_account'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_events_claim_id'))

    op.drop_table('claim_events')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_events_order_id'))

    op.drop_table('order_events')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_worker_id'))
        batch_op.drop_index(batch_op.f('ix_claims_unit_code'))
        batch_op.drop_index(batch_op.f('ix_claims_institution_id'))

    op.drop_table('claims')
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_records_order_id'))

    op.drop_table('attendance_records')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('uq_orders_worker_occupation_level', sqlite_where=sa.text("status NOT IN ('cancelled','rejected','failed')"), postgresql_where=sa.text("status NOT IN ('cancelled','rejected','failed')"))
        batch_op.drop_index(batch_op.f('ix_orders_worker_id'))
        batch_op.drop_index(batch_op.f('ix_orders_unit_code'))
        batch_op.drop_index(batch_op.f('ix_orders_offering_id'))
        batch_op.drop_index(batch_op.f('ix_orders_institution_id'))

    op.drop_table('orders')
    op.drop_table('worker_year_counts')
    op.drop_table('worker_profiles')
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_requests_worker_id'))
        batch_op.drop_index(batch_op.f('ix_training_requests_unit_code'))
        batch_op.drop_index(batch_op.f('ix_training_requests_occupation_code'))

    op.drop_table('training_requests')
    with op.batch_alter_table('offerings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offerings_unit_code'))
        batch_op.drop_index('ix_offerings_occupation_level')
        batch_op.drop_index(batch_op.f('ix_offerings_institution_id'))

    op.drop_table('offerings')
    op.drop_table('fund_balances')
    op.drop_table('deposits')
