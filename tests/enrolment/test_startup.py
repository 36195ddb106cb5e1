"""Startup seeding (drift and down/up migrations: tests/test_migrations.py)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text

import services.enrolment.models  # noqa: F401  (registers the tables)
from plumbing.db import make_engine
from plumbing.settings import DEFAULT_HASH_KEY
from services.enrolment.config import Settings
from services.enrolment.db import Base
from services.enrolment.main import create_app
from tests.enrolment.helpers import FINANCE
from tests.support import as_, internal_headers

TABLES = set(Base.metadata.tables)


async def _run(url: str, fn: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def test_demo_startup_funds_the_special_account_once(
    backend: str, database_factory: Any
) -> None:
    url = await database_factory("enrolment", backend)
    for _ in range(2):  # a restart must not deposit again
        app = create_app(Settings(demo=True), db_url=url)
        async with (
            app.router.lifespan_context(app),
            AsyncClient(
                transport=ASGITransport(app=app),
                base_url="http://service",
                headers=internal_headers(FINANCE),
            ) as client,
        ):
            balance = (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()
            ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    by_source = {s["source"]: s["balance_fen"] for s in balance["by_source"]}
    assert by_source["special_training"] == 500_000_000
    assert balance["balance_fen"] == 800_000_000
    engine = make_engine(url)
    async with engine.connect() as conn:
        deposits = (await conn.execute(text("SELECT count(*) FROM deposits"))).scalar()
    await engine.dispose()
    assert deposits == 5


def test_production_refuses_default_keys() -> None:
    with pytest.raises(RuntimeError, match="JINENG_DATA_KEYS"):
        create_app(Settings(env="production", internal_token="x" * 32, hash_key="h" * 32))
    with pytest.raises(RuntimeError, match="JINENG_HASH_KEY"):
        create_app(
            Settings(
                env="production",
                internal_token="x" * 32,
                data_keys=["k" * 32],
                hash_key=DEFAULT_HASH_KEY,
            )
        )
    with pytest.raises(RuntimeError, match="JINENG_AUDIT_KEY"):
        create_app(
            Settings(
                env="production", internal_token="x" * 32, data_keys=["k" * 32], hash_key="h" * 32
            )
        )
    app = create_app(
        Settings(
            env="production",
            internal_token="x" * 32,
            data_keys=["k" * 32],
            hash_key="h" * 32,
            audit_key="a" * 32,
        )
    )
    assert app.title == "Jineng enrolment service"
