"""The invariants under concurrent requests, with real commits, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from plumbing.db import make_engine
from services.enrolment.main import create_app
from tests.enrolment.helpers import (
    CITY,
    make_offering,
    make_profile,
    select,
    worker,
)
from tests.support import as_, committed_client


@pytest.fixture
async def fresh(backend: str, database_factory: Any) -> AsyncIterator[tuple[AsyncClient, str]]:
    """A client with real commits on a database of its own."""
    url: str = await database_factory("enrolment", backend)
    async with committed_client(create_app(db_url=url), url) as client:
        yield client, url


async def _scalar(url: str, sql: str) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


def _codes(responses: list[Any]) -> Counter[str]:
    return Counter(
        str(r.status_code) if r.status_code < 400 else r.json()["code"] for r in responses
    )


async def test_fifty_workers_race_for_ten_seats(fresh: tuple[AsyncClient, str]) -> None:
    client, url = fresh
    workers = [worker(1000 + i) for i in range(50)]
    for w in workers:
        await make_profile(client, w)
    offering = await make_offering(client, capacity=10)
    responses = await asyncio.gather(*(select(client, w, offering["id"]) for w in workers))
    assert _codes(responses) == {"201": 10, "offering_full": 40}
    assert (
        await _scalar(url, f"SELECT seats_taken FROM offerings WHERE id = {offering['id']}") == 10
    )
    assert await _scalar(url, "SELECT count(*) FROM orders") == 10
    listed = await client.get(f"/v1/offerings/{offering['id']}", headers=as_(CITY))
    assert listed.json()["seats_left"] == 0


async def test_one_worker_races_for_eight_offerings(fresh: tuple[AsyncClient, str]) -> None:
    client, url = fresh
    w = worker(2000)
    await make_profile(client, w)
    offerings = [await make_offering(client, occupation_code=f"6-01-0{i}-01") for i in range(8)]
    responses = await asyncio.gather(*(select(client, w, o["id"]) for o in offerings))
    assert _codes(responses) == {"201": 3, "yearly_cap_reached": 5}
    assert await _scalar(url, "SELECT count(*) FROM orders WHERE worker_id = 2000") == 3
    assert await _scalar(url, "SELECT count FROM worker_year_counts WHERE worker_id = 2000") == 3
    assert await _scalar(url, "SELECT sum(seats_taken) FROM offerings") == 3


async def test_one_worker_races_for_the_same_occupation_and_level(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    w = worker(2500)
    await make_profile(client, w)
    offerings = [await make_offering(client) for _ in range(6)]
    responses = await asyncio.gather(*(select(client, w, o["id"]) for o in offerings))
    assert _codes(responses) == {"201": 1, "occupation_level_already_subsidised": 5}
    assert await _scalar(url, "SELECT sum(seats_taken) FROM offerings") == 1
    assert await _scalar(url, "SELECT count FROM worker_year_counts WHERE worker_id = 2500") == 1
