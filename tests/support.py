"""Test plumbing: throwaway databases, per-test rollback, principals."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from plumbing.alembic_env import not_version_table
from plumbing.db import make_engine
from plumbing.migrate import upgrade
from plumbing.principal import Principal
from plumbing.settings import DEFAULT_INTERNAL_TOKEN


def internal_headers(
    principal: Principal | None = None, request_id: str | None = None
) -> dict[str, str]:
    """The headers the gateway sends a service."""
    headers = {"x-internal-token": DEFAULT_INTERNAL_TOKEN}
    if principal is not None:
        headers["x-principal"] = principal.header_value()
    if request_id:
        headers["x-request-id"] = request_id
    return headers


def as_(principal: Principal) -> dict[str, str]:
    """Headers for one call as `principal` (merge into a request's headers)."""
    return {"x-principal": principal.header_value()}


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_pg_database(server_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_plain(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    conn = await asyncpg.connect(_plain(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def fresh_database(service: str, backend: str, tmp_dir: Path, pg_server: str | None) -> str:
    """An empty database for `service`, migrated to head."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_dir / f'{service}-{uuid.uuid4().hex[:8]}.db'}"
    else:
        assert pg_server is not None
        url = await create_pg_database(pg_server, f"jt_{service}")
    await asyncio.to_thread(upgrade, service, url)
    return url


@asynccontextmanager
async def rollback_client(
    app: FastAPI, url: str, principal: Principal | None = None
) -> AsyncIterator[AsyncClient]:
    """An in-process client whose every commit lands in a savepoint of one outer transaction,
    rolled back at the end: tests never share committed state."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            outer = await conn.begin()
            app.state.engine = engine
            app.state.sessionmaker = async_sessionmaker(
                bind=conn,
                expire_on_commit=False,
                autoflush=False,
                join_transaction_mode="create_savepoint",
            )
            async with AsyncClient(
                transport=ASGITransport(app=app),
                base_url="http://service",
                headers=internal_headers(principal),
            ) as client:
                yield client
            await outer.rollback()
    finally:
        await engine.dispose()


@asynccontextmanager
async def committed_client(
    app: FastAPI, url: str, principal: Principal | None = None
) -> AsyncIterator[AsyncClient]:
    """An in-process client with a real pool: commits are real. For concurrency tests, on a
    database of their own."""
    from plumbing.db import make_sessionmaker

    engine = make_engine(url)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    try:
        async with AsyncClient(
            transport=ASGITransport(app=app),
            base_url="http://service",
            headers=internal_headers(principal),
        ) as client:
            yield client
    finally:
        await engine.dispose()


async def schema_drift(url: str, metadata: MetaData) -> list[object]:
    """What autogenerate would change to make the migrated database match the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: Connection) -> list[object]:
                ctx = MigrationContext.configure(
                    sync_conn,
                    opts={
                        "compare_type": True,
                        "render_as_batch": True,
                        "include_name": not_version_table,
                    },
                )
                return list(compare_metadata(ctx, metadata))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()
