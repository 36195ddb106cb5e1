"""Evaluation results: immutable rows; a correction is a new revision with a reason."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.evaluation.db import Base


class Result(Base, table=True):
    """A result for an order (trained worker) or a candidate (evaluation only). Never
    updated: revision 1 is the published result, each later revision corrects the one before.
    Database triggers (migration evaluation_0002) refuse any UPDATE but the one-time writing
    of `certificate_number`, and every DELETE."""

    __tablename__ = "results"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("theory_score >= 0 AND theory_score <= 100", name="theory_range"),
        CheckConstraint("practical_score >= 0 AND practical_score <= 100", name="practical_range"),
        CheckConstraint("order_id IS NOT NULL OR candidate_id IS NOT NULL", name="has_subject"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        # Revision 1 corrects nothing; every later revision names what it corrects and why.
        CheckConstraint(
            "(revision = 1) = (corrects_id IS NULL AND correction_reason IS NULL)",
            name="correction_recorded",
        ),
        # UNIQUE per subject and revision: repeats and concurrent posts collapse onto one row,
        # and two concurrent corrections of the same revision cannot both land.
        UniqueConstraint("order_id", "revision"),
        UniqueConstraint("candidate_id", "revision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, sa_column=Column(Integer))
    candidate_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("candidates.id"))
    )
    session_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("evaluation_sessions.id"))
    )
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    corrects_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("results.id"))
    )
    correction_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation_bodies.id"), nullable=False, index=True)
    )
    evaluator_id: int = Field(sa_column=Column(Integer, nullable=False))
    worker_id: int | None = Field(default=None, sa_column=Column(Integer, index=True))
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    passed: bool = Field(sa_column=Column(Boolean, nullable=False))
    score: float = Field(sa_column=Column(Float, nullable=False))
    theory_score: float | None = Field(default=None, sa_column=Column(Float))
    practical_score: float | None = Field(default=None, sa_column=Column(Float))
    # The rule applied, as it stood in the catalogue version in force on `evaluated_on`.
    theory_pass_mark: int | None = Field(default=None, sa_column=Column(Integer))
    practical_pass_mark: int | None = Field(default=None, sa_column=Column(Integer))
    catalogue_version_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("catalogue_versions.id"))
    )
    evaluated_on: dt.date = Field(
        sa_column=Column(Date, nullable=False, server_default=text("'2019-01-01'"))
    )
    # The certificate this revision carries (a pass keeps its certificate across corrections).
    certificate_number: str | None = Field(default=None, sa_column=Column(String(32)))
    holder_name_masked: str = Field(sa_column=Column(String(64), nullable=False))
    recorded_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
