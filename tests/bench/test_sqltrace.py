"""The opt-in SQL trace (plumbing/sqltrace.py) that `make bench` replays as its floor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bench.pg import dsn
from plumbing import sqltrace
from plumbing.principal import Principal
from services.institutions.main import create_app
from tests.support import committed_client

CITY = Principal(id=1, role="government", username="city-officer")


@pytest.fixture(scope="module")
async def institutions_db(postgres: str, database_factory: Any) -> str:
    url: str = await database_factory("institutions", "postgresql")
    return url


def _trace_listeners(engine: Any) -> int:
    dispatch = engine.sync_engine.dispatch
    return sum(
        1
        for kind in ("after_cursor_execute", "commit", "rollback")
        for fn in getattr(dispatch, kind)
        if getattr(fn, "__module__", "") == sqltrace.__name__
    )


async def test_each_request_is_recorded_with_its_transactions_parameters_and_rows(
    institutions_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(sqltrace.ENV, str(tmp_path))
    conn = await asyncpg.connect(dsn(institutions_db))
    try:
        await conn.execute(
            "INSERT INTO units (code, name_zh, name_en, kind, gb2260, quota_2019) "
            "VALUES ('trace-test', '测试区', 'Test', 'district', '370899', 7) "
            "ON CONFLICT DO NOTHING"
        )
    finally:
        await conn.close()
    app = create_app(db_url=institutions_db)
    async with committed_client(app, institutions_db, CITY) as client:
        assert _trace_listeners(app.state.engine) == 3
        units = await client.get("/v1/units", headers={"x-request-id": "trace-units"})
        missing = await client.get(
            "/v1/institutions/999999", headers={"x-request-id": "trace-missing"}
        )
    assert units.status_code == 200, units.text
    assert missing.status_code == 404
    recorded = {r.request_id: r for r in sqltrace.read(tmp_path)}
    assert set(recorded) == {"trace-units", "trace-missing"}

    first = recorded["trace-units"]
    assert (first.service, first.method, first.path) == ("institutions", "GET", "/v1/units")
    statements = [s for t in first.transactions for s in t.statements]
    assert statements
    assert all(t.end in ("commit", "rollback") for t in first.transactions)
    # The rows the statement returned are in the trace, not consumed from the driver: the
    # response still has the units, and the trace has as many rows as were read.
    listed = units.json()
    items = listed["items"] if isinstance(listed, dict) else listed
    returned = [s for s in statements if s.columns is not None and s.rows]
    assert returned
    assert max(len(s.rows) for s in returned) >= len(items) > 0

    lookup = [s for t in recorded["trace-missing"].transactions for s in t.statements]
    assert lookup[0].params == (999999,)
    assert lookup[0].columns is not None
    assert lookup[0].rows == []
    assert lookup[0].rowcount == 0
    assert not lookup[0].many


async def test_off_by_default_no_event_and_no_file(
    institutions_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(sqltrace.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    app = create_app(db_url=institutions_db)
    async with committed_client(app, institutions_db, CITY) as client:
        response = await client.get("/v1/units")
        # No listener on the engine's statements (nor on commit and rollback).
        assert not _trace_listeners(app.state.engine)
    assert response.status_code == 200
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 (a test's own directory)
    assert sqltrace._current.get() is None
