"""The shared engine (plumbing/db.py): a pooled connection the server has closed is replaced
before a request uses it, with no round trip on each checkout."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from pydantic import ValidationError
from sqlalchemy import text

from plumbing.db import get_read_session, make_engine, make_sessionmaker
from services.enrolment.config import Settings
from services.enrolment.main import create_app
from tests.enrolment.helpers import worker
from tests.support import committed_client

ME = worker(1)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _terminate_others(url: str) -> int:
    """Kill every other backend of the database (as a PostgreSQL restart would) and wait
    until they are gone."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        others = (
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [r["pid"] for r in await conn.fetch(others)]
        for pid in pids:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)
        for _ in range(500):
            if not await conn.fetch(others):
                break
            await asyncio.sleep(0.01)
        return len(pids)
    finally:
        await conn.close()


async def test_a_terminated_pooled_connection_does_not_fail_the_next_request(
    postgres: str, database_factory: Any
) -> None:
    url: str = await database_factory("enrolment", "postgresql")
    app = create_app(db_url=url)
    async with committed_client(app, url, ME) as client:
        # Several pooled connections, all idle in the pool afterwards.
        answers = await asyncio.gather(*(client.get("/v1/orders") for _ in range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        assert await _terminate_others(url) >= 1
        await asyncio.sleep(0.05)  # the event loop reads each server's goodbye

        answers = await asyncio.gather(*(client.get("/v1/orders") for _ in range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        assert (await client.get("/readyz")).status_code == 200
        async with app.state.engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1


async def test_no_ping_on_checkout(postgres: str, database_factory: Any) -> None:
    """Each transaction costs only its own statements: no BEGIN; ; ROLLBACK before it."""
    url: str = await database_factory("enrolment", "postgresql")
    app = create_app(db_url=url)
    async with committed_client(app, url, ME) as client:
        assert (await client.get("/v1/orders")).status_code == 200
        assert app.state.engine.pool._pre_ping is False


async def test_a_read_session_sends_no_begin_on_postgresql(
    postgres: str, database_factory: Any
) -> None:
    """`ReadSessionDep`: a read runs in autocommit (no BEGIN and ROLLBACK round trips), and
    the connection goes back to the pool with transactions again for the next session."""
    url: str = await database_factory("enrolment", "postgresql")
    engine = make_engine(url)
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace()))
    request.app.state.sessionmaker = make_sessionmaker(engine)
    try:
        reads = get_read_session(request)  # type: ignore[arg-type]
        session = await anext(reads)
        level = text("SELECT current_setting('transaction_isolation')")
        assert (await session.execute(level)).scalar() == "read committed"
        raw = await (await session.connection()).get_raw_connection()
        assert raw.driver_connection is not None
        assert not raw.driver_connection.is_in_transaction()
        await anext(reads, None)  # the dependency's end: the session closes

        async with make_sessionmaker(engine)() as write:
            await write.execute(text("SELECT 1"))
            raw = await (await write.connection()).get_raw_connection()
            assert raw.driver_connection is not None
            assert raw.driver_connection.is_in_transaction()
    finally:
        await engine.dispose()


async def test_pool_sizes_come_from_the_settings(
    postgres: str, database_factory: Any, monkeypatch: Any
) -> None:
    """JINENG_DB_POOL_SIZE and JINENG_DB_MAX_OVERFLOW size each process's pool, so the
    processes together can be kept inside the server's max_connections."""
    monkeypatch.setenv("JINENG_DB_POOL_SIZE", "3")
    monkeypatch.setenv("JINENG_DB_MAX_OVERFLOW", "1")
    url: str = await database_factory("enrolment", "postgresql")
    app = create_app(db_url=url)
    async with app.router.lifespan_context(app):
        pool = app.state.engine.pool
        assert (pool.size(), pool._max_overflow) == (3, 1)
        # Eight at once on a pool of 3 + 1: all served, never more than four connections.
        sessions = app.state.sessionmaker
        backends = text(
            "SELECT count(*) FROM pg_stat_activity, pg_sleep(0.05)"
            " WHERE datname = current_database()"
        )

        async def one() -> int:
            async with sessions() as session:
                return int((await session.execute(backends)).scalar_one())

        seen = await asyncio.gather(*(one() for _ in range(8)))
        assert max(seen) <= 4, seen
        assert max(seen) >= 2, seen  # they did run side by side


@pytest.mark.parametrize(
    ("name", "bad"), [("JINENG_DB_POOL_SIZE", "0"), ("JINENG_DB_MAX_OVERFLOW", "-1")]
)
def test_pool_sizes_are_bounded(name: str, bad: str, monkeypatch: Any) -> None:
    monkeypatch.setenv(name, bad)
    with pytest.raises(ValidationError, match=name.removeprefix("JINENG_").lower()):
        Settings()


async def test_sqlite_ignores_the_pool_sizes(database_factory: Any) -> None:
    url: str = await database_factory("enrolment", "sqlite")
    engine = make_engine(url, pool_size=2, max_overflow=0)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()
