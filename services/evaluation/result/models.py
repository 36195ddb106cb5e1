"""Evaluation results: at most one per order (the database enforces it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlmodel import Field

from plumbing.clock import utcnow
from services.evaluation.db import Base


class Result(Base, table=True):
    __tablename__ = "results"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # UNIQUE: repeats and concurrent posts for one order collapse onto one row.
    order_id: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation_bodies.id"), nullable=False, index=True)
    )
    evaluator_id: int = Field(sa_column=Column(Integer, nullable=False))
    worker_id: int = Field(sa_column=Column(Integer, nullable=False, index=True))
    occupation_code: str = Field(sa_column=Column(String(32), nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    passed: bool = Field(sa_column=Column(Boolean, nullable=False))
    score: float = Field(sa_column=Column(Float, nullable=False))
    holder_name_masked: str = Field(sa_column=Column(String(64), nullable=False))
    recorded_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
