"""The models never drift from the migrations; migrations go down and up; startup seeding."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import services.institutions.catalogue.models
import services.institutions.institution.models  # noqa: F401  (registers the tables)
from plumbing.db import make_engine
from plumbing.migrate import downgrade, upgrade, version_table
from services.institutions.config import Settings
from services.institutions.db import Base
from services.institutions.main import create_app

TABLES = {"institutions", "institution_approvals", "institution_events", "catalogue_items", "units"}


async def _run(url: str, fn: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "version_table": version_table("institutions")}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_models_match_migrations(backend: str, database_factory: Any) -> None:
    url = await database_factory("institutions", backend)
    assert await _run(url, _diff) == []


async def test_downgrade_then_upgrade(backend: str, database_factory: Any) -> None:
    url = await database_factory("institutions", backend)
    assert await _run(url, _tables) >= TABLES
    await asyncio.to_thread(downgrade, "institutions", url, "base")
    assert not TABLES & await _run(url, _tables)
    await asyncio.to_thread(upgrade, "institutions", url)
    assert await _run(url, _tables) >= TABLES
    assert await _run(url, _diff) == []


async def test_startup_seeds_reference_and_demo_data_once(
    backend: str, database_factory: Any
) -> None:
    url = await database_factory("institutions", backend)

    def counts(conn: Connection) -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("catalogue_items", "units", "institutions")
        )

    for _ in range(2):
        app = create_app(Settings(demo=True), db_url=url)
        async with app.router.lifespan_context(app):
            pass
        items, units, institutions = await _run(url, counts)
        assert (units, institutions) == (15, 1)
        assert items > 50
