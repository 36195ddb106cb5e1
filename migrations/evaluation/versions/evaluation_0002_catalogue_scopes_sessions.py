"""Evaluation catalogue (versioned), body scopes and accreditation, sessions and candidates,
result revisions (corrections), entitlements.

Revision ID: evaluation_0002
Revises: evaluation_0001
Create Date: 2026-11-29 17:11:57.694048
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Every column of a result but the certificate number, which is written once, right after
# the result, in the same transaction (the number carries the result's id).
RESULT_COLUMNS = (
    'id', 'order_id', 'body_id', 'evaluator_id', 'worker_id', 'occupation_code', 'level',
    'passed', 'score', 'holder_name_masked', 'recorded_at', 'candidate_id', 'session_id',
    'revision', 'corrects_id', 'correction_reason', 'theory_score', 'practical_score',
    'theory_pass_mark', 'practical_pass_mark', 'catalogue_version_id', 'evaluated_on',
)
IMMUTABLE = "published results are immutable: record a correction instead"
PG_FUNCTION = f"""
CREATE FUNCTION results_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION '{IMMUTABLE}';
  END IF;
  IF OLD.certificate_number IS NOT NULL
     OR (to_jsonb(OLD) - 'certificate_number') <> (to_jsonb(NEW) - 'certificate_number') THEN
    RAISE EXCEPTION '{IMMUTABLE}';
  END IF;
  RETURN NEW;
END $$
"""


def create_immutability_triggers() -> None:
    """Published results are never updated or deleted (a later batch migration that
    recreates `results` on SQLite must create these again)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER results_immutable BEFORE UPDATE OR DELETE ON results"
            " FOR EACH ROW EXECUTE FUNCTION results_immutable()"
        )
        return
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in RESULT_COLUMNS)
    op.execute(
        "CREATE TRIGGER results_immutable BEFORE UPDATE ON results FOR EACH ROW"
        f" WHEN OLD.certificate_number IS NOT NULL OR {changed}"
        f" BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
    )
    op.execute(
        "CREATE TRIGGER results_never_deleted BEFORE DELETE ON results FOR EACH ROW"
        f" BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
    )


def drop_immutability_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS results_immutable ON results")
        op.execute("DROP FUNCTION IF EXISTS results_immutable()")
        return
    op.execute("DROP TRIGGER IF EXISTS results_immutable")
    op.execute("DROP TRIGGER IF EXISTS results_never_deleted")


revision: str = 'evaluation_0002'
down_revision: str | None = 'evaluation_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalogue_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_versions')),
    sa.UniqueConstraint('effective_on', name=op.f('uq_catalogue_versions_effective_on'))
    )
    op.create_table('body_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_body_scopes_level_range')),
    sa.ForeignKeyConstraint(['body_id'], ['evaluation_bodies.id'], name=op.f('fk_body_scopes_body_id_evaluation_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_body_scopes')),
    sa.UniqueConstraint('body_id', 'occupation_code', 'level', name=op.f('uq_body_scopes_body_id'))
    )
    op.create_table('catalogue_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('occupation_name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('theory_pass_mark', sa.Integer(), nullable=False),
    sa.Column('practical_pass_mark', sa.Integer(), nullable=False),
    sa.Column('subsidy_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_catalogue_entries_level_range')),
    sa.CheckConstraint('practical_pass_mark BETWEEN 0 AND 100', name=op.f('ck_catalogue_entries_practical_mark_range')),
    sa.CheckConstraint('subsidy_fen >= 0', name=op.f('ck_catalogue_entries_subsidy_not_negative')),
    sa.CheckConstraint('theory_pass_mark BETWEEN 0 AND 100', name=op.f('ck_catalogue_entries_theory_mark_range')),
    sa.ForeignKeyConstraint(['version_id'], ['catalogue_versions.id'], name=op.f('fk_catalogue_entries_version_id_catalogue_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_entries')),
    sa.UniqueConstraint('version_id', 'occupation_code', 'level', name=op.f('uq_catalogue_entries_version_id'))
    )
    op.create_table('evaluation_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_evaluation_sessions_status_known')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_evaluation_sessions_capacity_positive')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_evaluation_sessions_level_range')),
    sa.CheckConstraint('registered >= 0 AND registered <= capacity', name=op.f('ck_evaluation_sessions_within_capacity')),
    sa.ForeignKeyConstraint(['body_id'], ['evaluation_bodies.id'], name=op.f('fk_evaluation_sessions_body_id_evaluation_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sessions'))
    )
    with op.batch_alter_table('evaluation_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_sessions_body_id'), ['body_id'], unique=False)

    op.create_table('candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('name_masked', sa.String(length=64), nullable=False),
    sa.Column('name_encrypted', sa.String(length=500), nullable=True),
    sa.Column('id_number_encrypted', sa.String(length=500), nullable=True),
    sa.Column('id_number_hash', sa.String(length=64), nullable=True),
    sa.Column('id_number_masked', sa.String(length=18), nullable=True),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(order_id IS NOT NULL) <> (id_number_hash IS NOT NULL)', name=op.f('ck_candidates_one_kind_of_candidate')),
    sa.ForeignKeyConstraint(['session_id'], ['evaluation_sessions.id'], name=op.f('fk_candidates_session_id_evaluation_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates')),
    sa.UniqueConstraint('order_id', name=op.f('uq_candidates_order_id')),
    sa.UniqueConstraint('session_id', 'id_number_hash', name=op.f('uq_candidates_session_id'))
    )
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidates_session_id'), ['session_id'], unique=False)

    op.create_table('entitlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('catalogue_version_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cancelled_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'cancelled') = (cancelled_reason IS NOT NULL)", name=op.f('ck_entitlements_cancellation_recorded')),
    sa.CheckConstraint("status IN ('open', 'cancelled')", name=op.f('ck_entitlements_status_known')),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_entitlements_amount_not_negative')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_entitlements_level_range')),
    sa.ForeignKeyConstraint(['catalogue_version_id'], ['catalogue_versions.id'], name=op.f('fk_entitlements_catalogue_version_id_catalogue_versions')),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], name=op.f('fk_entitlements_result_id_results')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlements')),
    sa.UniqueConstraint('result_id', name=op.f('uq_entitlements_result_id'))
    )
    with op.batch_alter_table('entitlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitlements_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index('uq_entitlements_open_order', ['order_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('candidate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('occupation_name', sa.String(length=100), nullable=True))
        batch_op.alter_column('worker_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('uq_certificates_valid_order', ['order_id'], unique=True, sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_body_id_evaluation_bodies'), 'evaluation_bodies', ['body_id'], ['id'])

    with op.batch_alter_table('evaluation_bodies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accredited_on', sa.Date(), server_default=sa.text("'2019-01-01'"), nullable=False))
        batch_op.add_column(sa.Column('accredited_until', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_evaluation_bodies_accreditation_ordered'),
            'accredited_until IS NULL OR accredited_until >= accredited_on',
        )

    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('correction_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('theory_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('practical_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('theory_pass_mark', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('practical_pass_mark', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('catalogue_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evaluated_on', sa.Date(), server_default=sa.text("'2019-01-01'"), nullable=False))
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=32), nullable=True))
        batch_op.alter_column('order_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('worker_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_results_order_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_results_order_id'), ['order_id', 'revision'])
        batch_op.create_unique_constraint(batch_op.f('uq_results_candidate_id'), ['candidate_id', 'revision'])
        batch_op.create_foreign_key(batch_op.f('fk_results_candidate_id_candidates'), 'candidates', ['candidate_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_results_catalogue_version_id_catalogue_versions'), 'catalogue_versions', ['catalogue_version_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_results_corrects_id_results'), 'results', ['corrects_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_results_session_id_evaluation_sessions'), 'evaluation_sessions', ['session_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_results_theory_range'), 'theory_score >= 0 AND theory_score <= 100')
        batch_op.create_check_constraint(op.f('ck_results_practical_range'), 'practical_score >= 0 AND practical_score <= 100')
        batch_op.create_check_constraint(op.f('ck_results_has_subject'), 'order_id IS NOT NULL OR candidate_id IS NOT NULL')
        batch_op.create_check_constraint(op.f('ck_results_revision_positive'), 'revision >= 1')
        batch_op.create_check_constraint(
            op.f('ck_results_correction_recorded'),
            '(revision = 1) = (corrects_id IS NULL AND correction_reason IS NULL)',
        )

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_entity_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_entity_known'), "entity IN ('evaluation_body', 'result', 'certificate', 'catalogue_version', 'session', 'candidate', 'entitlement')")

    # Existing rows: each result carries its certificate number and evaluation date; each
    # certificate its order and body.
    op.execute(
        "UPDATE results SET certificate_number ="
        " (SELECT number FROM certificates WHERE certificates.result_id = results.id)"
    )
    day = "CAST(recorded_at AS DATE)" if op.get_bind().dialect.name == "postgresql" else "date(recorded_at)"
    op.execute(f"UPDATE results SET evaluated_on = {day}")
    op.execute(
        "UPDATE certificates SET"
        " order_id = (SELECT order_id FROM results WHERE results.id = certificates.result_id),"
        " body_id = (SELECT body_id FROM results WHERE results.id = certificates.result_id)"
    )
    create_immutability_triggers()


def downgrade() -> None:
    # What the first schema cannot hold goes: entitlements, corrections, evaluation-only
    # candidates' results and certificates, and the events of the new entities.
    drop_immutability_triggers()
    op.drop_index('uq_entitlements_open_order', table_name='entitlements')
    op.drop_index(op.f('ix_entitlements_worker_id'), table_name='entitlements')
    op.drop_table('entitlements')
    op.execute(
        "DELETE FROM certificates WHERE result_id IN"
        " (SELECT id FROM results WHERE revision > 1 OR order_id IS NULL)"
    )
    op.execute("DELETE FROM results WHERE revision > 1")
    op.execute("DELETE FROM results WHERE order_id IS NULL")
    op.execute("DELETE FROM events WHERE entity NOT IN ('evaluation_body', 'result', 'certificate')")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_entity_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_entity_known'), "entity IN ('evaluation_body', 'result', 'certificate')")

    with op.batch_alter_table('results', schema=None) as batch_op:
        for name in ('correction_recorded', 'revision_positive', 'has_subject', 'practical_range', 'theory_range'):
            batch_op.drop_constraint(op.f(f'ck_results_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_results_session_id_evaluation_sessions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_results_corrects_id_results'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_results_catalogue_version_id_catalogue_versions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_results_candidate_id_candidates'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_results_candidate_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_results_order_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_results_order_id'), ['order_id'])
        batch_op.alter_column('worker_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('order_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('certificate_number')
        batch_op.drop_column('evaluated_on')
        batch_op.drop_column('catalogue_version_id')
        batch_op.drop_column('practical_pass_mark')
        batch_op.drop_column('theory_pass_mark')
        batch_op.drop_column('practical_score')
        batch_op.drop_column('theory_score')
        batch_op.drop_column('correction_reason')
        batch_op.drop_column('corrects_id')
        batch_op.drop_column('revision')
        batch_op.drop_column('session_id')
        batch_op.drop_column('candidate_id')

    with op.batch_alter_table('evaluation_bodies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_evaluation_bodies_accreditation_ordered'), type_='check')
        batch_op.drop_column('accredited_until')
        batch_op.drop_column('accredited_on')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_body_id_evaluation_bodies'), type_='foreignkey')
        batch_op.drop_index('uq_certificates_valid_order', sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))
        batch_op.alter_column('worker_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('occupation_name')
        batch_op.drop_column('body_id')
        batch_op.drop_column('candidate_id')
        batch_op.drop_column('order_id')

    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidates_session_id'))

    op.drop_table('candidates')
    with op.batch_alter_table('evaluation_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_sessions_body_id'))

    op.drop_table('evaluation_sessions')
    op.drop_table('catalogue_entries')
    op.drop_table('body_scopes')
    op.drop_table('catalogue_versions')
