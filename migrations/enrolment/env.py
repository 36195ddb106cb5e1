"""Alembic environment of the enrolment service."""

import services.enrolment.models  # noqa: F401  (registers every table)
from plumbing.alembic_env import run_migrations
from services.enrolment.db import Base

run_migrations(Base.metadata)
