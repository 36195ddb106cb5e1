"""Alembic environment of the gateway (accounts, refresh tokens, idempotency records)."""

import gateway.accounts.models
import gateway.idempotency.models  # noqa: F401  (registers the tables)
from gateway.db import Base
from plumbing.alembic_env import run_migrations

run_migrations(Base.metadata)
