"""Accounts and refresh tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, DateTime, Index, String, UniqueConstraint
from sqlmodel import Field

from gateway.db import Base
from plumbing.clock import utcnow


class Account(Base, table=True):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(
            "role IN ('worker','institution','government','finance','evaluator','admin')",
            name="role_known",
        ),
        CheckConstraint(
            "(role = 'worker') = (wechat_openid IS NOT NULL)", name="workers_log_in_by_wechat"
        ),
        CheckConstraint(
            "role <> 'institution' OR institution_id IS NOT NULL", name="institution_bound"
        ),
        CheckConstraint(
            "role <> 'evaluator' OR evaluation_body_id IS NOT NULL", name="evaluator_bound"
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    password_hash: str | None = None
    wechat_openid: str | None = Field(default=None, sa_column=Column(String(128), unique=True))
    role: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, max_length=32)
    institution_id: int | None = None
    evaluation_body_id: int | None = None
    is_demo: bool = False
    # Wrong passwords in a row; at settings.lockout_failures the account locks until
    # `locked_until` (counted by one conditional UPDATE, so parallel guesses all count).
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_until: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    disabled_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class RefreshToken(Base, table=True):
    """Opaque refresh tokens, stored as hashes. Each use rotates the token within its family;
    a second use of a spent token revokes the whole family (it has been stolen)."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        Index("ix_refresh_tokens_family", "family_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    family_id: str = Field(max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    expires_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
