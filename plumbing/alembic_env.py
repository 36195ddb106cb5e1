"""The body of every service's migrations/<service>/env.py (async, own version table)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from plumbing.migrate import version_table


def run_migrations(metadata: MetaData) -> None:
    cfg = context.config
    service = cfg.attributes["service"]
    url: str = cfg.attributes.get("url") or cfg.get_main_option("sqlalchemy.url") or ""
    options: dict[str, Any] = dict(
        target_metadata=metadata,
        version_table=version_table(service),
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        include_name=not_version_table,
    )
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    connection = cfg.attributes.get("connection")
    if connection is not None:
        do_run(connection)
    else:
        asyncio.run(run_async())


def not_version_table(name: str | None, type_: str, _parents: object) -> bool:
    """Autogenerate leaves every alembic_version_* table alone."""
    return not (type_ == "table" and name is not None and name.startswith("alembic_version"))
