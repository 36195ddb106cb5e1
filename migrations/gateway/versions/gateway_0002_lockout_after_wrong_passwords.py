"""Gateway: count wrong passwords and lock the account for a while after too many.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-29 18:20:38.242185
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'gateway_0002'
down_revision: str | None = 'gateway_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_accounts_failed_logins_not_negative'), 'failed_logins >= 0'
        )


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_accounts_failed_logins_not_negative'), type_='check')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
