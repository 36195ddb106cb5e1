"""Alembic environment of the institutions service."""

import services.institutions.catalogue.models
import services.institutions.institution.models
import services.institutions.reporting.models
import services.institutions.supervision.models  # noqa: F401  (registers the tables)
from plumbing.alembic_env import run_migrations
from services.institutions.db import Base

run_migrations(Base.metadata)
