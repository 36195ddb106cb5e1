"""Races on the order lifecycle with real commits, on SQLite and PostgreSQL: accept against
cancel, expiry against acceptance, withdrawal against selection, two ends at once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text

from plumbing.clock import SHANGHAI, frozen_at, shanghai_today
from plumbing.db import make_engine
from services.enrolment.config import Settings
from services.enrolment.main import create_app
from services.enrolment.sweep import run_sweep
from tests.enrolment.helpers import (
    CITY,
    INSTITUTION,
    make_offering,
    make_order,
    make_profile,
    select,
    worker,
)
from tests.support import as_, committed_client

T0 = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
async def fresh(backend: str, database_factory: Any) -> AsyncIterator[tuple[AsyncClient, str]]:
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


def _outcome(r: Response) -> str:
    return str(r.status_code) if r.status_code < 400 else str(r.json()["code"])


async def test_accept_and_cancel_racing_on_one_order_exactly_one_wins(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    offering = await make_offering(client, capacity=10)
    orders = [await make_order(client, worker(3100 + i), offering) for i in range(8)]
    results = []
    for order in orders:
        who = as_(worker(order["worker_id"]))
        calls = [
            client.post(f"/v1/orders/{order['id']}/{action}", headers=headers)
            for _ in range(3)
            for action, headers in (("accept", as_(INSTITUTION)), ("cancel", who))
        ]
        outcomes = Counter(_outcome(r) for r in await asyncio.gather(*calls))
        assert outcomes == {"200": 1, "invalid_state": 5}, outcomes
        results.append(await _scalar(url, f"SELECT status FROM orders WHERE id = {order['id']}"))
    accepted = results.count("accepted")
    assert accepted + results.count("cancelled") == len(orders)
    assert (
        await _scalar(url, f"SELECT seats_taken FROM offerings WHERE id = {offering['id']}")
        == accepted
    )
    assert await _scalar(url, "SELECT coalesce(sum(count), 0) FROM worker_year_counts") == accepted
    # one transition event per order beyond its selection
    assert await _scalar(
        url, "SELECT count(*) FROM order_events WHERE from_status = 'selected'"
    ) == len(orders)


async def test_expiry_racing_acceptance_frees_each_seat_once(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    with frozen_at(T0):
        offering = await make_offering(client, capacity=20)
        overdue = [await make_order(client, worker(3200 + i), offering) for i in range(6)]
    with frozen_at(T0 + dt.timedelta(days=6)):
        # in time, on the same offering and for the same workers: must stay counted
        keep = await make_offering(client, occupation_code="6-31-01-03", capacity=20)
        for order in overdue:
            assert (await select(client, worker(order["worker_id"]), keep["id"])).status_code == 201
    with frozen_at(T0 + dt.timedelta(days=7)):
        calls = [client.post("/v1/orders/expire", headers=as_(CITY)) for _ in range(3)]
        calls += [
            client.post(f"/v1/orders/{o['id']}/accept", headers=as_(INSTITUTION)) for o in overdue
        ]
        responses = await asyncio.gather(*calls)
    sweeps, accepts = responses[:3], responses[3:]
    assert all(r.status_code == 200 for r in sweeps)
    assert sum(r.json()["orders_expired"] for r in sweeps) <= len(overdue)
    assert {(r.status_code, r.json()["current_status"]) for r in accepts} == {(409, "expired")}
    assert await _scalar(url, "SELECT count(*) FROM orders WHERE status = 'expired'") == len(
        overdue
    )
    assert await _scalar(url, "SELECT count(*) FROM order_events WHERE action = 'expire'") == len(
        overdue
    )
    assert await _scalar(
        url, "SELECT count(*) FROM notifications WHERE kind = 'order_expired'"
    ) == len(overdue)
    assert await _scalar(url, f"SELECT seats_taken FROM offerings WHERE id = {offering['id']}") == 0
    assert await _scalar(url, f"SELECT seats_taken FROM offerings WHERE id = {keep['id']}") == len(
        overdue
    )
    # each worker still holds exactly the in-time order's slot
    assert await _scalar(url, "SELECT min(count) FROM worker_year_counts") == 1
    assert await _scalar(url, "SELECT max(count) FROM worker_year_counts") == 1


async def test_withdrawal_racing_selections_leaves_no_seat_taken(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    offering = await make_offering(client, capacity=30)
    workers = [worker(3300 + i) for i in range(20)]
    for w in workers:
        await make_profile(client, w)
    calls = [select(client, w, offering["id"]) for w in workers]
    calls.insert(
        10,
        client.post(
            f"/v1/offerings/{offering['id']}/withdraw", json={"reason": "停办"}, headers=as_(CITY)
        ),
    )
    responses = await asyncio.gather(*calls)
    withdrawal = responses.pop(10)
    assert withdrawal.status_code == 200, withdrawal.text
    outcomes = Counter(_outcome(r) for r in responses)
    assert set(outcomes) <= {"201", "invalid_state"}
    assert withdrawal.json()["orders_cancelled"] == outcomes["201"]
    assert await _scalar(url, f"SELECT seats_taken FROM offerings WHERE id = {offering['id']}") == 0
    assert await _scalar(url, "SELECT coalesce(sum(count), 0) FROM worker_year_counts") == 0
    assert await _scalar(url, "SELECT count(*) FROM orders WHERE status <> 'cancelled'") == 0
    assert await _scalar(url, "SELECT count(*) FROM notifications") == outcomes["201"]


async def test_two_ends_at_once_raise_one_flag(fresh: tuple[AsyncClient, str]) -> None:
    client, url = fresh
    w = worker(3400)
    order = await make_order(client, w)
    await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION))
    day = dt.datetime.combine(shanghai_today(), dt.time(19, 0)).replace(tzinfo=SHANGHAI)
    sessions = [
        {
            "channel": channel,
            "started_at": (day + dt.timedelta(minutes=5 * i)).isoformat(),
            "ended_at": (day + dt.timedelta(minutes=60 + 5 * i)).isoformat(),
            "device_id": f"dev-{channel}",
        }
        for i, channel in enumerate(("app", "wechat", "pc", "app", "wechat", "pc"))
    ]
    responses = await asyncio.gather(
        *(
            client.post(f"/v1/orders/{order['id']}/learning-sessions", json=s, headers=as_(w))
            for s in sessions
        )
    )
    assert [r.status_code for r in responses] == [201] * 6
    assert (
        await _scalar(url, "SELECT count(*) FROM learning_flags WHERE kind = 'overlapping_ends'")
        == 1
    )
    hours = await _scalar(url, f"SELECT attended_hours FROM orders WHERE id = {order['id']}")
    assert hours == pytest.approx(6.0)
    assert (
        await _scalar(url, f"SELECT status FROM orders WHERE id = {order['id']}") == "in_training"
    )


async def test_many_workers_on_one_device_at_once_are_all_flagged(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    offering = await make_offering(client, capacity=10)
    learners = [worker(3500 + i) for i in range(5)]
    orders = []
    for w in learners:
        order = await make_order(client, w, offering)
        await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION))
        orders.append(order)
    day = dt.datetime.combine(shanghai_today(), dt.time(8, 0)).replace(tzinfo=SHANGHAI)
    responses = await asyncio.gather(
        *(
            client.post(
                f"/v1/orders/{order['id']}/learning-sessions",
                json={
                    "channel": "app",
                    "started_at": (day + dt.timedelta(hours=i)).isoformat(),
                    "ended_at": (day + dt.timedelta(hours=i + 1)).isoformat(),
                    "device_id": "one-phone",
                },
                headers=as_(w),
            )
            for i, (w, order) in enumerate(zip(learners, orders, strict=True))
        )
    )
    assert [r.status_code for r in responses] == [201] * 5
    flagged = await _scalar(
        url, "SELECT count(DISTINCT order_id) FROM learning_flags WHERE kind = 'shared_device'"
    )
    assert flagged == 5


async def test_the_sweep_command_expires_overdue_orders(fresh: tuple[AsyncClient, str]) -> None:
    client, url = fresh
    with frozen_at(T0):
        order = await make_order(client, worker(3600))
    with frozen_at(T0 + dt.timedelta(days=7)):
        result = await run_sweep(url, Settings())
    assert (result.orders_expired, result.requests_expired) == (1, 0)
    assert await _scalar(url, f"SELECT status FROM orders WHERE id = {order['id']}") == "expired"
    actor = await _scalar(url, "SELECT actor_role FROM order_events WHERE action = 'expire'")
    assert actor == "admin"
