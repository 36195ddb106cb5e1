"""Enrolment: the training type of an offering (the monthly report counts by it; rows listed
before this revision are employment_skills), and a keyed hash of the worker's normalised phone, for the watch list's "many
workers sharing a phone" signal.

The migration cannot compute the hash (it has no key), so the column is nullable: the
service fills it on every profile save, and a profile saved before this revision is counted
once it is saved again.

Revision ID: enrolment_0004
Revises: enrolment_0003
Create Date: 2026-11-29 18:56:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'enrolment_0004'
down_revision: str | None = 'enrolment_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TYPES = (
    "('employment_skills','job_skill_upgrade','pre_job','transfer','apprenticeship',"
    "'technician','entrepreneurship','safety_skills','practical_rural')"
)


def upgrade() -> None:
    with op.batch_alter_table('offerings') as batch:
        batch.add_column(
            sa.Column(
                'training_type',
                sa.String(length=32),
                server_default='employment_skills',
                nullable=False,
            )
        )
        batch.create_check_constraint('training_type_known', f'training_type IN {TYPES}')
    with op.batch_alter_table('worker_profiles') as batch:
        batch.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch.create_index('ix_worker_profiles_phone_hash', ['phone_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('worker_profiles') as batch:
        batch.drop_index('ix_worker_profiles_phone_hash')
        batch.drop_column('phone_hash')
    with op.batch_alter_table('offerings') as batch:
        batch.drop_constraint('training_type_known', type_='check')
        batch.drop_column('training_type')
