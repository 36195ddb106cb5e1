"""The unit report reads counts kept with each step (services/enrolment/stats/counts.py):
whatever mix of selections and steps happens, the report equals the figures worked out from
scratch over the raw orders, events and profiles; concurrent steps lose no count."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter, defaultdict
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import SHANGHAI, frozen_at, shanghai_today
from services.enrolment.fields import GROUPS
from services.enrolment.main import create_app
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import Order, OrderEvent
from services.enrolment.workers.models import WorkerProfile
from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    INSTITUTION,
    advance,
    make_offering,
    make_profile,
    select,
    worker,
)
from tests.support import as_, committed_client, rollback_client

STEPS = ("accepted", "completed", "certified", "failed", "dropped")
ELECTRICIAN = {"occupation_code": "6-31-01-03", "occupation_name": "电工", "level": 4}
Figures = dict[str, dict[str, Counter[tuple[str, ...]]]]


def _day(at: dt.datetime) -> dt.date:
    # SQLite hands the UTC timestamps back without their zone.
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(SHANGHAI).date()


async def from_scratch(session: AsyncSession, from_on: dt.date, to_on: dt.date) -> Figures:
    """The selections and steps of each unit in the period, from the raw rows: an order's
    creation, its events reaching a step, the offering's training type and the worker's
    current group (the tests using it never change a group)."""
    orders = {o.id: o for o in (await session.execute(sa_select(Order))).scalars()}
    types = {o.id: o.training_type for o in (await session.execute(sa_select(Offering))).scalars()}
    groups = {
        p.worker_id: p.target_group
        for p in (await session.execute(sa_select(WorkerProfile))).scalars()
    }
    taken: list[tuple[Order, str]] = [
        (o, "selected") for o in orders.values() if from_on <= _day(o.created_at) <= to_on
    ]
    for e in (await session.execute(sa_select(OrderEvent))).scalars():
        if e.to_status in STEPS and e.from_status != e.to_status and from_on <= _day(e.at) <= to_on:
            taken.append((orders[e.order_id], e.to_status))
    figures: Figures = defaultdict(lambda: defaultdict(Counter))
    for o, step in taken:
        unit = figures[o.unit_code]
        unit["total"][(step,)] += 1
        unit["group"][(groups.get(o.worker_id, "unknown"), step)] += 1
        unit["trade"][(o.occupation_code, o.occupation_name, str(o.level), step)] += 1
        unit["type"][(types[o.offering_id], step)] += 1
    return figures


def as_reported(body: dict[str, Any]) -> Figures:
    """The report's answer in the same shape (zeros left out)."""
    figures: Figures = defaultdict(lambda: defaultdict(Counter))
    steps = ("selected", *STEPS)
    for u in body["items"]:
        unit = figures[u["unit_code"]]
        for s in steps:
            if u[s]:
                unit["total"][(s,)] = u[s]
            for g in u["by_group"]:
                if g[s]:
                    unit["group"][(g["group"], s)] = g[s]
            for t in u["by_trade"]:
                if t[s]:
                    key = (t["occupation_code"], t["occupation_name"], str(t["level"]), s)
                    unit["trade"][key] = t[s]
            for t in u["by_training_type"]:
                if t[s]:
                    unit["type"][(t["training_type"], s)] = t[s]
    return figures


def _plain(figures: Figures) -> dict[str, dict[str, dict[tuple[str, ...], int]]]:
    return {u: {k: dict(c) for k, c in dims.items() if c} for u, dims in figures.items()}


async def report(client: AsyncClient, from_on: dt.date, to_on: dt.date, **kw: Any) -> Any:
    params = {"from_on": from_on.isoformat(), "to_on": to_on.isoformat(), **kw}
    r = await client.get("/v1/stats/units", params=params, headers=as_(CITY))
    assert r.status_code == 200, r.text
    return r.json()


async def _take(client: AsyncClient, order_id: int, outcome: str, first_day: int) -> None:
    """Drive a selected order to `outcome` through the service."""
    if outcome == "selected":
        return
    if outcome == "rejected":
        r = await client.post(
            f"/v1/orders/{order_id}/reject", json={"reason": "不符合"}, headers=as_(INSTITUTION)
        )
        assert r.status_code == 200, r.text
        return
    if outcome in ("accepted", "dropped"):
        await advance(client, order_id, "accepted")
    else:
        await advance(client, order_id, "completed", first_day=first_day)
    if outcome == "dropped":
        r = await client.post(
            f"/v1/orders/{order_id}/drop", json={"reason": "外出务工"}, headers=as_(INSTITUTION)
        )
        assert r.status_code == 200, r.text
    elif outcome in ("certified", "failed"):
        passed = outcome == "certified"
        r = await client.post(
            f"/v1/orders/{order_id}/evaluation",
            json={
                "passed": passed,
                "certificate_number": f"C{order_id:08d}" if passed else None,
                "result_id": order_id,
            },
            headers=as_(EVALUATOR),
        )
        assert r.status_code == 200, r.text


async def test_the_report_equals_the_raw_rows(enrolment_url: str) -> None:
    """A seeded mix of groups, trades, units, training types, days and outcomes: every
    period's report equals the count over the raw rows."""
    rng = random.Random(8)
    app = create_app(db_url=enrolment_url)
    async with rollback_client(app, enrolment_url) as client:
        care = await make_offering(client)
        care_yz = await make_offering(client, unit_code="yanzhou", capacity=50)
        electric = await make_offering(client, **ELECTRICIAN, training_type="job_skill_upgrade")
        today = shanghai_today()
        yesterday = today - dt.timedelta(days=1)
        # Selections late yesterday and early today (Asia/Shanghai): the day boundary is
        # the calendar's, not UTC's.
        late = dt.datetime.combine(yesterday, dt.time(23, 50), SHANGHAI)
        early = dt.datetime.combine(today, dt.time(0, 5), SHANGHAI)
        outcomes = (
            "selected",
            "rejected",
            "accepted",
            "dropped",
            "completed",
            "certified",
            "failed",
        )
        for n in range(24):
            w = worker(3000 + n)
            await make_profile(client, w, group=rng.choice(GROUPS))
            chosen = [rng.choice([care, care_yz])] + ([electric] if rng.random() < 0.5 else [])
            for i, offering in enumerate(chosen):
                with frozen_at(rng.choice([late, early])):
                    r = await select(client, w, offering["id"])
                assert r.status_code == 201, r.text
                await _take(client, r.json()["id"], rng.choice(outcomes), first_day=10 * i)

        async with app.state.sessionmaker() as session:
            month = yesterday.replace(day=1)
            month_end = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            periods = (
                (yesterday, yesterday),
                (today, today),
                (yesterday, today),
                # Whole months (month rows), and whole months with days around them.
                (month, month_end - dt.timedelta(days=1)),
                (month - dt.timedelta(days=3), month_end + dt.timedelta(days=40)),
                (yesterday - dt.timedelta(days=70), today + dt.timedelta(days=1)),
                (yesterday, today + dt.timedelta(days=40)),
            )
            for from_on, to_on in periods:
                expected = _plain(await from_scratch(session, from_on, to_on))
                assert _plain(as_reported(await report(client, from_on, to_on))) == expected
                for unit in ("rencheng", "yanzhou"):
                    one = await report(client, from_on, to_on, unit_code=unit)
                    assert _plain(as_reported(one)) == {
                        k: v for k, v in expected.items() if k == unit
                    }
            whole = _plain(await from_scratch(session, yesterday, today))
        # The mix really is mixed: both days, both units, every step counted somewhere.
        assert set(whole) == {"rencheng", "yanzhou"}
        steps = {s for unit in whole.values() for (s,) in unit["total"]}
        assert steps == {"selected", *STEPS}
        assert (await report(client, today + dt.timedelta(days=1), today + dt.timedelta(days=2)))[
            "items"
        ] == []


async def test_the_group_is_the_workers_at_the_step(enrolment_url: str) -> None:
    """A step counts under the group the worker had when it was taken: changing a profile
    later does not move a figure already counted."""
    async with rollback_client(create_app(db_url=enrolment_url), enrolment_url) as client:
        care = await make_offering(client)
        w = worker(3100)
        await make_profile(client, w, group="unemployed")
        order = (await select(client, w, care["id"])).json()
        await make_profile(client, w, group="migrant_worker")
        await advance(client, order["id"], "accepted")
        today = shanghai_today()
        groups = {
            g["group"]: g for g in (await report(client, today, today))["items"][0]["by_group"]
        }
        assert (groups["unemployed"]["selected"], groups["unemployed"]["accepted"]) == (1, 0)
        assert (groups["migrant_worker"]["selected"], groups["migrant_worker"]["accepted"]) == (
            0,
            1,
        )


async def test_concurrent_steps_lose_no_count(postgres: str, database_factory: Any) -> None:
    """Forty workers select the same trade in the same unit at once (one count row per
    group), then are accepted and dropped at once: every count equals the raw rows."""
    url: str = await database_factory("enrolment", "postgresql")
    app = create_app(db_url=url)
    async with committed_client(app, url) as client:
        offerings = [await make_offering(client, capacity=100) for _ in range(2)]
        workers = [worker(4000 + i) for i in range(40)]
        for i, w in enumerate(workers):
            await make_profile(client, w, group=GROUPS[i % 2])
        selected = await asyncio.gather(
            *(select(client, w, offerings[i % 2]["id"]) for i, w in enumerate(workers))
        )
        assert {r.status_code for r in selected} == {201}
        ids = [r.json()["id"] for r in selected]
        accepted = await asyncio.gather(
            *(client.post(f"/v1/orders/{i}/accept", headers=as_(INSTITUTION)) for i in ids)
        )
        assert {r.status_code for r in accepted} == {200}
        dropped = await asyncio.gather(
            *(
                client.post(
                    f"/v1/orders/{i}/drop", json={"reason": "外出务工"}, headers=as_(INSTITUTION)
                )
                for i in ids[::2]
            )
        )
        assert {r.status_code for r in dropped} == {200}
        today = shanghai_today()
        async with app.state.sessionmaker() as session:
            expected = _plain(await from_scratch(session, today, today))
        assert expected["rencheng"]["total"] == {
            ("selected",): 40,
            ("accepted",): 40,
            ("dropped",): 20,
        }
        assert _plain(as_reported(await report(client, today, today))) == expected
