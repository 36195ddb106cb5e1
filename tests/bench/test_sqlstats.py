"""The opt-in SQL statement counter (plumbing/sqlstats.py) that `make bench` reads."""

from __future__ import annotations

from typing import Any

import pytest

from plumbing import sqlstats
from plumbing.principal import Principal
from services.institutions.main import create_app
from tests.support import committed_client

CITY = Principal(id=1, role="government", username="city-officer")


@pytest.fixture(scope="module")
async def institutions_db(postgres: str, database_factory: Any) -> str:
    url: str = await database_factory("institutions", "postgresql")
    return url


async def test_each_response_carries_its_own_statement_count(
    institutions_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sqlstats.ENV, "1")
    app = create_app(db_url=institutions_db)
    async with committed_client(app, institutions_db, CITY) as client:
        first = await client.get("/v1/units")
        second = await client.get("/v1/units")
        missing = await client.get("/v1/institutions/999999")
        health = await client.get("/healthz")
    assert first.status_code == 200, first.text
    counted = int(first.headers[sqlstats.HEADER])
    assert counted >= 1
    # Per request, not a running total across requests.
    assert int(second.headers[sqlstats.HEADER]) == counted
    assert missing.status_code == 404
    assert int(missing.headers[sqlstats.HEADER]) >= 1
    assert health.headers[sqlstats.HEADER] == "0"


async def test_off_by_default_no_header(
    institutions_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(sqlstats.ENV, raising=False)
    app = create_app(db_url=institutions_db)
    async with committed_client(app, institutions_db, CITY) as client:
        response = await client.get("/v1/units")
    assert response.status_code == 200
    assert sqlstats.HEADER not in response.headers
