"""The gateway's migrations match its models, and go down and up again."""

from __future__ import annotations

import asyncio

import gateway.accounts.models
import gateway.idempotency.models  # noqa: F401
from gateway.db import Base
from plumbing.migrate import downgrade, upgrade
from tests.support import schema_drift


async def test_models_match_migrations(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    url = await database_factory("gateway", backend)
    assert await schema_drift(url, Base.metadata) == []


async def test_downgrade_then_upgrade(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    url = await database_factory("gateway", backend)
    await asyncio.to_thread(downgrade, "gateway", url, "base")
    await asyncio.to_thread(upgrade, "gateway", url)
    assert await schema_drift(url, Base.metadata) == []
