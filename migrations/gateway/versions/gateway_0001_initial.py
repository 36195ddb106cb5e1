"""Gateway: accounts, refresh tokens and idempotency records.

Revision ID: gateway_0001
Revises: 
Create Date: 2026-11-28 13:46:03.248769
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'gateway_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('wechat_openid', sa.String(length=128), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('evaluation_body_id', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role = 'worker') = (wechat_openid IS NOT NULL)", name=op.f('ck_accounts_workers_log_in_by_wechat')),
    sa.CheckConstraint("role <> 'evaluator' OR evaluation_body_id IS NOT NULL", name=op.f('ck_accounts_evaluator_bound')),
    sa.CheckConstraint("role <> 'institution' OR institution_id IS NOT NULL", name=op.f('ck_accounts_institution_bound')),
    sa.CheckConstraint("role IN ('worker','institution','government','finance','evaluator','admin')", name=op.f('ck_accounts_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username')),
    sa.UniqueConstraint('wechat_openid', name=op.f('uq_accounts_wechat_openid'))
    )
    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('account_id', 'key', name=op.f('uq_idempotency_records_account_id'))
    )
    op.create_table('refresh_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('family_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_refresh_tokens_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash'))
    )
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_tokens_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_refresh_tokens_family', ['family_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_refresh_tokens_family')
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_account_id'))

    op.drop_table('refresh_tokens')
    op.drop_table('idempotency_records')
    op.drop_table('accounts')
