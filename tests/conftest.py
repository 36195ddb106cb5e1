"""Fixtures every test package shares: backends, throwaway databases."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests import pg
from tests.support import drop_pg_database, fresh_database

BACKENDS = ("sqlite", "postgresql")

DatabaseFactory = Callable[[str, str], Awaitable[str]]


@pytest.fixture(scope="session")
def pg_server() -> str | None:
    """The PostgreSQL server for tests, or None (see tests/pg.py)."""
    return pg.server_url()


def require_backend(backend: str, pg_server: str | None) -> None:
    if backend == "postgresql" and pg_server is None:
        reason = "no PostgreSQL server found (set TEST_DATABASE_URL, or install PostgreSQL)"
        if os.environ.get("JINENG_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " and JINENG_REQUIRE_POSTGRES=1")
        pytest.skip(reason)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, pg_server: str | None) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    name: str = request.param
    require_backend(name, pg_server)
    return name


@pytest.fixture(scope="session")
def postgres(pg_server: str | None) -> str:
    """For tests that only make sense on PostgreSQL (concurrency): the server URL."""
    require_backend("postgresql", pg_server)
    assert pg_server is not None
    return pg_server


@pytest.fixture(scope="session")
async def database_factory(
    tmp_path_factory: pytest.TempPathFactory, pg_server: str | None
) -> AsyncIterator[DatabaseFactory]:
    """`await database_factory(service, backend)` -> URL of a new database migrated to head;
    dropped at the end of the session."""
    tmp: Path = tmp_path_factory.mktemp("db")
    created: list[str] = []

    async def make(service: str, backend: str) -> str:
        url = await fresh_database(service, backend, tmp, pg_server)
        if backend == "postgresql":
            created.append(url)
        return url

    yield make
    for url in created:
        assert pg_server is not None
        await drop_pg_database(pg_server, url)
