"""institutions: institutions, approvals, status events, catalogue items, units

Revision ID: institutions_0001
Revises: 
Create Date: 2026-11-28 13:52:20.498923
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'institutions_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalogue_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue', sa.String(length=16), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('occupation_name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('training_types', sa.JSON(), nullable=False),
    sa.Column('standard_hours', sa.Integer(), nullable=False),
    sa.Column('subsidy_fen', sa.Integer(), nullable=False),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.CheckConstraint("catalogue IN ('key_industry', 'general')", name=op.f('ck_catalogue_items_catalogue_known')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_catalogue_items_level_range')),
    sa.CheckConstraint('standard_hours > 0', name=op.f('ck_catalogue_items_hours_positive')),
    sa.CheckConstraint('subsidy_fen > 0', name=op.f('ck_catalogue_items_subsidy_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_items')),
    sa.UniqueConstraint('catalogue', 'occupation_code', 'level', name=op.f('uq_catalogue_items_catalogue'))
    )
    with op.batch_alter_table('catalogue_items', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_items_occupation_level', ['occupation_code', 'level'], unique=False)

    op.create_table('institutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=True),
    sa.Column('suspended_until', sa.Date(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=16), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('vocational_college', 'technical_school', 'private', 'enterprise')", name=op.f('ck_institutions_kind_known')),
    sa.CheckConstraint("status = 'suspended' OR suspended_until IS NULL", name=op.f('ck_institutions_until_only_when_suspended')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'revoked')", name=op.f('ck_institutions_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institutions')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_institutions_credit_code'))
    )
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institutions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_institutions_unit_code'), ['unit_code'], unique=False)

    op.create_table('units',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('gb2260', sa.String(length=6), nullable=True),
    sa.Column('quota_2019', sa.Integer(), nullable=False),
    sa.CheckConstraint('quota_2019 >= 0', name=op.f('ck_units_quota_not_negative')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units'))
    )
    op.create_table('institution_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_institution_approvals_level_range')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_institution_approvals_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution_approvals')),
    sa.UniqueConstraint('institution_id', 'occupation_code', 'level', name=op.f('uq_institution_approvals_institution_id'))
    )
    with op.batch_alter_table('institution_approvals', schema=None) as batch_op:
        batch_op.create_index('ix_institution_approvals_occupation_level', ['occupation_code', 'level'], unique=False)

    op.create_table('institution_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('register', 'suspend', 'reinstate', 'revoke')", name=op.f('ck_institution_events_action_known')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_institution_events_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution_events'))
    )
    with op.batch_alter_table('institution_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institution_events_institution_id'), ['institution_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('institution_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_institution_events_institution_id'))

    op.drop_table('institution_events')
    with op.batch_alter_table('institution_approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_institution_approvals_occupation_level')

    op.drop_table('institution_approvals')
    op.drop_table('units')
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_institutions_unit_code'))
        batch_op.drop_index(batch_op.f('ix_institutions_status'))

    op.drop_table('institutions')
    with op.batch_alter_table('catalogue_items', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_items_occupation_level')

    op.drop_table('catalogue_items')
