"""Engine and session factories that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from plumbing import sqlstats, sqltrace


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine. On SQLite every transaction starts with BEGIN IMMEDIATE, so two
    writers queue on the database lock instead of failing on a lock upgrade; WAL lets reads
    go on meanwhile. With JINENG_SQL_STATS=1 it counts each request's statements, with
    JINENG_SQL_TRACE=<dir> it records them (plumbing/sqltrace.py)."""
    engine = _make_engine(url, **kwargs)
    if sqlstats.enabled():
        sqlstats.install(engine)
    if sqltrace.enabled():
        sqltrace.install(engine)
    return engine


def _make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        # One writer at a time on a file: the pool sizes are PostgreSQL's settings.
        for postgres_only in ("pool_size", "max_overflow"):
            kwargs.pop(postgres_only, None)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself (see _on_begin).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _drop_if_closed)
    return engine


def _drop_if_closed(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection the server has closed (PostgreSQL restarted, the backend
    terminated) before a request uses it, without a round trip. `pool_pre_ping` did the same
    with BEGIN; SELECT; ROLLBACK on every checkout (three round trips per transaction); here
    asyncpg already knows: the server's goodbye and the closed socket were read by the event
    loop while the connection sat idle in the pool. Raising DisconnectionError makes the pool
    discard it and check out another (a new one if need be)."""
    driver = getattr(dbapi_conn, "driver_connection", None)
    is_closed = getattr(driver, "is_closed", None)
    if is_closed is not None and is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; use case code commits. Closed before the response is sent
    (the dependency is declared with scope="function")."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for a route that only reads. On PostgreSQL its statements run in autocommit:
    a one-query read is one round trip instead of three (BEGIN, the query, ROLLBACK). Under
    READ COMMITTED every statement takes its own snapshot inside a transaction or not, so the
    read sees the same rows. SQLite keeps its transaction (there BEGIN costs no round trip);
    so does a session bound to a connection (the tests' rollback sessions)."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        bind = session.bind
        if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql":
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
