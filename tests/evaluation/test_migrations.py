"""The evaluation migrations match the models, and go down and up again."""

from __future__ import annotations

import asyncio

import services.evaluation.body.models
import services.evaluation.certificate.models
import services.evaluation.event.models
import services.evaluation.result.models  # noqa: F401  (registers the tables)
from plumbing.migrate import downgrade, upgrade
from services.evaluation.db import Base
from tests.support import schema_drift


async def test_models_match_migrations(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    url = await database_factory("evaluation", backend)
    assert await schema_drift(url, Base.metadata) == []


async def test_downgrade_then_upgrade(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    url = await database_factory("evaluation", backend)
    await asyncio.to_thread(downgrade, "evaluation", url, "base")
    await asyncio.to_thread(upgrade, "evaluation", url)
    assert await schema_drift(url, Base.metadata) == []
