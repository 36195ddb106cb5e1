"""The institutions service in-process, on a migrated database holding the reference data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from plumbing.db import make_engine
from plumbing.ids import credit_code_check_char
from plumbing.principal import Principal
from services.institutions.main import create_app
from services.institutions.seed import seed_reference_data
from tests.support import rollback_client

CITY = Principal(id=1, role="government", username="city-officer")
RENCHENG = Principal(id=2, role="government", username="rencheng-officer", unit_code="rencheng")
ADMIN = Principal(id=3, role="admin", username="admin")
WORKER = Principal(id=100, role="worker")
PROBLEM = "application/problem+json"


def credit_code(n: int, prefix: str = "91370800MA") -> str:
    """A valid GB 32100 code: prefix + serial (17 characters) + the check character."""
    first17 = f"{prefix}{n:0{17 - len(prefix)}d}"
    return first17 + credit_code_check_char(first17)


def institution_body(n: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"济宁第{n}职业培训学校",
        "credit_code": credit_code(n),
        "kind": "private",
        "unit_code": "rencheng",
        "approvals": [{"occupation_code": "4-10-01-05", "level": 5}],
    }
    return body | overrides


@pytest.fixture(scope="session")
async def institutions_url(backend: str, database_factory: Any) -> str:
    """A migrated database with the catalogues and units committed once (reference data)."""
    url: str = await database_factory("institutions", backend)
    engine = make_engine(url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        await seed_reference_data(session)
    await engine.dispose()
    return url


@pytest.fixture
def app(institutions_url: str) -> FastAPI:
    return create_app(db_url=institutions_url)


@pytest.fixture
async def client(app: FastAPI, institutions_url: str) -> AsyncIterator[AsyncClient]:
    """Every commit is rolled back at the end of the test; app.state.sessionmaker joins it."""
    async with rollback_client(app, institutions_url) as c:
        yield c
