"""Evaluation: bodies, results (one per order), certificates (one per passed result), events.

Revision ID: evaluation_0001
Revises:
Create Date: 2026-11-28 13:55:03.760073
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'evaluation_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evaluation_bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('third_party', 'employer')", name=op.f('ck_evaluation_bodies_kind_known')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'revoked')", name=op.f('ck_evaluation_bodies_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_bodies')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_evaluation_bodies_credit_code'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=24), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("entity IN ('evaluation_body', 'result', 'certificate')", name=op.f('ck_events_entity_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_entity_entity_id', ['entity', 'entity_id'], unique=False)

    op.create_table('results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('holder_name_masked', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_results_level_range')),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_results_score_range')),
    sa.ForeignKeyConstraint(['body_id'], ['evaluation_bodies.id'], name=op.f('fk_results_body_id_evaluation_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results')),
    sa.UniqueConstraint('order_id', name=op.f('uq_results_order_id'))
    )
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_worker_id'), ['worker_id'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('holder_name_masked', sa.String(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revoked_reason', sa.String(length=500), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL)", name=op.f('ck_certificates_revocation_recorded')),
    sa.CheckConstraint("status IN ('valid', 'revoked')", name=op.f('ck_certificates_status_known')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_certificates_level_range')),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], name=op.f('fk_certificates_result_id_results')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    sa.UniqueConstraint('result_id', name=op.f('uq_certificates_result_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_worker_id'))

    op.drop_table('certificates')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_worker_id'))
        batch_op.drop_index(batch_op.f('ix_results_body_id'))

    op.drop_table('results')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_entity_entity_id')

    op.drop_table('events')
    op.drop_table('evaluation_bodies')
