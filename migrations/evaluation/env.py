"""Alembic environment of the evaluation service (catalogue, bodies, sessions, results,
certificates, entitlements, events)."""

import services.evaluation.body.models
import services.evaluation.catalogue.models
import services.evaluation.certificate.models
import services.evaluation.entitlement.models
import services.evaluation.event.models
import services.evaluation.result.models
import services.evaluation.session.models  # noqa: F401  (registers the tables)
from plumbing.alembic_env import run_migrations
from services.evaluation.db import Base

run_migrations(Base.metadata)
