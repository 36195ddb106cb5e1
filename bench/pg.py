"""The PostgreSQL server the benchmarks use, and their throwaway databases on it."""

from __future__ import annotations

import os

import asyncpg
from sqlalchemy.engine import make_url


def server_url() -> str:
    """BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server (any database)."""
    return (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )


def dsn(url: str) -> str:
    """The plain libpq form asyncpg takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(server: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on the server."""
    return make_url(server).set(database=name).render_as_string(hide_password=False)


async def _on_server(server: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn(server))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(server: str, name: str) -> str:
    """An empty database `name` on the server; its SQLAlchemy URL."""
    await _on_server(server, f'CREATE DATABASE "{name}"')
    return database_url(server, name)


async def drop_database(server: str, name: str) -> None:
    await _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
