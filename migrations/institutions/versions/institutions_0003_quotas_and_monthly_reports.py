"""Quotas for 2020 and later, and the units' monthly reports (snapshots, locked on sign-off).

Revision ID: institutions_0003
Revises: institutions_0002
Create Date: 2026-11-29 18:21:21.645009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "institutions_0003"
down_revision: str | None = "institutions_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monthly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("generated_by", sa.Integer(), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_off_by", sa.Integer(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status = 'draft' OR (signed_off_by IS NOT NULL AND signed_off_at IS NOT NULL)",
            name=op.f("ck_monthly_reports_locked_is_signed"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'locked')", name=op.f("ck_monthly_reports_status_known")
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_monthly_reports_revision_positive")),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_monthly_reports_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_reports")),
        sa.UniqueConstraint("unit_code", "month", "revision", name="uq_monthly_reports_revision"),
    )
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_reports_month"), ["month"], unique=False)
        batch_op.create_index(
            "uq_monthly_reports_one_draft",
            ["unit_code", "month"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )

    op.create_table(
        "unit_quotas",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quota >= 0", name=op.f("ck_unit_quotas_quota_not_negative")),
        sa.CheckConstraint(
            "year BETWEEN 2020 AND 2100", name=op.f("ck_unit_quotas_year_after_2019")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_unit_quotas_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("unit_code", "year", name=op.f("pk_unit_quotas")),
    )


def downgrade() -> None:
    op.drop_table("unit_quotas")
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_monthly_reports_one_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_monthly_reports_month"))

    op.drop_table("monthly_reports")
