"""Evaluation tests: a migrated database per backend, a rolled-back client per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from plumbing.db import make_engine
from plumbing.principal import Principal
from services.evaluation.demo import seed_demo_data
from services.evaluation.main import create_app
from tests.support import as_, rollback_client

GOVERNMENT = Principal(id=900, role="government", username="city-officer")
ADMIN = Principal(id=901, role="admin")
EVALUATOR = Principal(id=700, role="evaluator", evaluation_body_id=1)
WORKER = Principal(id=42, role="worker")
# The default JINENG_CERTIFICATE_VERIFY_BASE (services/evaluation/config.py).
VERIFY_BASE = "http://127.0.0.1:8000/api/v1/certificates"


def result_body(
    order_id: int = 1001, *, passed: bool = True, score: float = 86, **over: object
) -> dict[str, object]:
    body: dict[str, object] = {
        "order_id": order_id,
        "worker_id": WORKER.id,
        "occupation_code": "4-10-01-05",
        "level": 4,
        "passed": passed,
        "score": score,
        "holder_name_masked": "张**",
    }
    body.update(over)
    return body


@pytest.fixture(scope="session")
async def evaluation_url(backend: str, database_factory) -> str:  # type: ignore[no-untyped-def]
    """A migrated database with the demo body committed once (body 1, active)."""
    url: str = await database_factory("evaluation", backend)
    engine = make_engine(url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        await seed_demo_data(session)
    await engine.dispose()
    return url


@pytest.fixture
async def client(evaluation_url: str) -> AsyncIterator[AsyncClient]:
    async with rollback_client(create_app(db_url=evaluation_url), evaluation_url) as c:
        yield c


async def record(
    client: AsyncClient, body: dict[str, object], who: Principal = EVALUATOR
) -> dict[str, object]:
    response = await client.post("/v1/results", json=body, headers=as_(who))
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    # The answer to recording adds the certificate's address (for the gateway).
    number = data["certificate_number"]
    assert data["verify_url"] == (None if number is None else f"{VERIFY_BASE}/{number}")
    return data


def as_read(recorded: dict[str, object]) -> dict[str, object]:
    """A recording's answer as the later reads of the result give it (without the address)."""
    return {k: v for k, v in recorded.items() if k != "verify_url"}


async def new_body(
    client: AsyncClient, scope: list[tuple[str, int]], **over: object
) -> dict[str, object]:
    """A further evaluation body with this scope, registered by the government."""
    payload: dict[str, object] = {
        "name": "汶上县服装行业协会评价站",
        "kind": "third_party",
        "scope": [{"occupation_code": c, "level": lv} for c, lv in scope],
    }
    payload.update(over)
    response = await client.post("/v1/bodies", json=payload, headers=as_(GOVERNMENT))
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def evaluator_of(body_id: object, ident: int = 710) -> Principal:
    assert isinstance(body_id, int)
    return Principal(id=ident, role="evaluator", evaluation_body_id=body_id)
