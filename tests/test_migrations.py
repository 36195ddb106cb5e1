"""Every process's migrations: the models never drift from them, and they go down to base and
up again, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

from plumbing.db import make_engine
from plumbing.migrate import SERVICES, downgrade, upgrade
from tests.support import schema_drift

# The modules that register each process's tables, and where its Base lives.
MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "gateway": ("gateway.db", ("gateway.accounts.models", "gateway.idempotency.models")),
    "institutions": (
        "services.institutions.db",
        (
            "services.institutions.catalogue.models",
            "services.institutions.institution.models",
            "services.institutions.supervision.models",
        ),
    ),
    "enrolment": ("services.enrolment.db", ("services.enrolment.models",)),
    "evaluation": (
        "services.evaluation.db",
        (
            "services.evaluation.body.models",
            "services.evaluation.certificate.models",
            "services.evaluation.event.models",
            "services.evaluation.result.models",
        ),
    ),
}


def metadata_of(service: str) -> MetaData:
    base_module, model_modules = MODELS[service]
    for module in model_modules:
        importlib.import_module(module)
    metadata: MetaData = importlib.import_module(base_module).Base.metadata
    return metadata


async def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:

            def names(sync_conn: Connection) -> set[str]:
                return set(inspect(sync_conn).get_table_names())

            result: set[str] = await conn.run_sync(names)
            return result
    finally:
        await engine.dispose()


def test_every_process_is_covered() -> None:
    assert set(MODELS) == set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
async def test_models_match_migrations(service: str, backend: str, database_factory: Any) -> None:
    url = await database_factory(service, backend)
    assert await schema_drift(url, metadata_of(service)) == []


@pytest.mark.parametrize("service", SERVICES)
async def test_downgrade_to_base_then_upgrade(
    service: str, backend: str, database_factory: Any
) -> None:
    url = await database_factory(service, backend)
    model_tables = set(metadata_of(service).tables)
    assert await tables(url) >= model_tables
    await asyncio.to_thread(downgrade, service, url, "base")
    assert not model_tables & await tables(url)
    await asyncio.to_thread(upgrade, service, url)
    assert await tables(url) >= model_tables
    assert await schema_drift(url, metadata_of(service)) == []
