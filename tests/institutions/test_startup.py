"""Startup seeding (drift and down/up migrations: tests/test_migrations.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

import services.institutions.catalogue.models
import services.institutions.institution.models  # noqa: F401  (registers the tables)
from plumbing.db import make_engine
from services.institutions.config import Settings
from services.institutions.main import create_app

TABLES = {"institutions", "institution_approvals", "institution_events", "catalogue_items", "units"}


async def _run(url: str, fn: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


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
