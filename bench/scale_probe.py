"""Timing the four hot queries through the enrolment service, and EXPLAIN of exactly the SQL
the service ran, for `python -m bench.scale`.

Each query is a real HTTP request to the enrolment app, in process (httpx's ASGI transport,
with the gateway's internal headers), on a real connection pool; the SQL it sends is caught
at the cursor and replayed under EXPLAIN (ANALYZE, BUFFERS)."""

from __future__ import annotations

import calendar
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import event

from bench.pg import dsn
from bench.scale_data import YEARS, trades, units
from plumbing.db import make_engine, make_sessionmaker
from plumbing.principal import Principal
from services.enrolment.config import Settings
from services.enrolment.main import create_app
from services.enrolment.orders.rules import SLOT_FREEING

QUERIES = ("cap check (select)", "worker's order list", "offering search", "unit report")
# Tables that grow with the orders: a Seq Scan on one of them fails the check.
BIG_TABLES = frozenset(
    {
        "orders",
        "order_events",
        "worker_profiles",
        "worker_year_counts",
        "offerings",
        "training_requests",
        "claims",
        "attendance_records",
        # Two million rows at 1M orders: the unit report must read a range of it, not all.
        "unit_step_counts",
    }
)
CITY = Principal(id=900, role="government", username="city-officer")


@dataclass
class Plan:
    sql: str
    tree: dict[str, Any]
    lines: list[str]


@dataclass
class Probe:
    """One scale's database, with the app and what the runs need."""

    name: str
    url: str
    client: AsyncClient
    engine: Any
    rng: random.Random
    workers: int = 0
    listed: list[tuple[int, str, int]] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    combos: list[tuple[str, int, str]] = field(default_factory=list)
    captured: list[tuple[str, Any]] | None = None
    timings: dict[str, list[float]] = field(default_factory=dict)
    plans: dict[str, list[Plan]] = field(default_factory=dict)


def _headers(principal: Principal) -> dict[str, str]:
    token = Settings().internal_token.get_secret_value()
    return {"x-internal-token": token, "x-principal": principal.header_value()}


@asynccontextmanager
async def probe(name: str, url: str, seed: int = 11) -> AsyncIterator[Probe]:
    """The enrolment app on `url` with a real pool, and the SQL capture hook."""
    # One log line per request is the same at both scales; kept off the terminal here.
    app = create_app(Settings(log_level="WARNING"), db_url=url)
    engine = make_engine(url, pool_size=5)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://enrolment") as c:
        p = Probe(name, url, c, engine, random.Random(seed))  # noqa: S311 - sampling only

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: bool) -> None:
            if p.captured is not None:
                p.captured.append((statement, params))

        try:
            await _prepare(p)
            yield p
        finally:
            await engine.dispose()


async def _prepare(p: Probe) -> None:
    conn = await asyncpg.connect(dsn(p.url))
    try:
        p.workers = int(await conn.fetchval("SELECT max(worker_id) FROM worker_profiles"))
        rows = await conn.fetch(
            "SELECT id, occupation_code, level FROM offerings"
            " WHERE status = 'listed' AND seats_taken < capacity ORDER BY id"
        )
        p.listed = [(r["id"], r["occupation_code"], r["level"]) for r in rows]
    finally:
        await conn.close()
    codes = [u.code for u in units()]
    p.combos = [(t.occupation_code, t.level, u) for t in trades() for u in codes]


async def selection_pairs(p: Probe, n: int) -> None:
    """(worker, offering) pairs for `n` selections that must succeed: the worker has no live
    order for the offering's trade and no slot taken since 2022 (reruns on a kept database
    select too), and each worker selects once."""
    conn = await asyncpg.connect(dsn(p.url))
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    try:
        for k, (offering_id, occupation, level) in enumerate(p.listed):
            want = n // len(p.listed) + (k < n % len(p.listed))
            candidates = [
                w for w in p.rng.sample(range(1, p.workers + 1), want * 3 + 10) if w not in used
            ]
            holding = await conn.fetch(
                "SELECT worker_id FROM orders WHERE worker_id = ANY($1::int[])"
                " AND occupation_code = $2 AND level = $3 AND NOT status = ANY($4::text[])"
                " UNION SELECT worker_id FROM worker_year_counts"
                " WHERE worker_id = ANY($1::int[]) AND year >= 2022 AND count > 0",
                candidates,
                occupation,
                level,
                list(SLOT_FREEING),
            )
            taken = {r["worker_id"] for r in holding}
            free = [w for w in candidates if w not in taken][:want]
            used.update(free)
            pairs.extend((w, offering_id) for w in free)
    finally:
        await conn.close()
    p.rng.shuffle(pairs)
    p.pairs = pairs


def _expect(response: Response, status: int) -> Response:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url} -> {response.status_code}: {response.text}")
    return response


async def cap_check(p: Probe) -> Response:
    """Order 3: the selection step, with the yearly cap, occupation+level and seat checks."""
    worker, offering = p.pairs.pop()
    principal = Principal(id=worker, role="worker")
    body = {"offering_id": offering}
    return _expect(await p.client.post("/v1/orders", json=body, headers=_headers(principal)), 201)


async def order_list(p: Probe) -> Response:
    """GET /me/orders as the gateway forwards it: the worker's own orders, newest first."""
    worker = Principal(id=p.rng.randint(1, p.workers), role="worker")
    r = _expect(await p.client.get("/v1/orders", headers=_headers(worker)), 200)
    if not r.json()["items"]:
        raise RuntimeError(f"worker {worker.id} has no orders")
    return r


async def offering_search(p: Probe) -> Response:
    """GET /offerings as a worker looking for a trade and level near home."""
    occupation, level, unit = p.combos[p.rng.randrange(len(p.combos))]
    params: dict[str, str | int] = {
        "occupation_code": occupation,
        "level": level,
        "unit_code": unit,
    }
    worker = Principal(id=1, role="worker")
    return _expect(
        await p.client.get("/v1/offerings", params=params, headers=_headers(worker)), 200
    )


async def unit_report(p: Probe) -> Response:
    """The monthly unit figures (quota progress, monthly report) for one unit and month."""
    year, month = p.rng.choice(YEARS), p.rng.randint(1, 12)
    unit = p.rng.choice(units()).code
    last = calendar.monthrange(year, month)[1]
    params = {
        "from_on": f"{year}-{month:02d}-01",
        "to_on": f"{year}-{month:02d}-{last}",
        "unit_code": unit,
    }
    r = _expect(await p.client.get("/v1/stats/units", params=params, headers=_headers(CITY)), 200)
    return r


CALLS: dict[str, Callable[[Probe], Awaitable[Response]]] = dict(
    zip(QUERIES, (cap_check, order_list, offering_search, unit_report), strict=True)
)


async def time_all(probes: list[Probe], runs: int, warmup: int) -> None:
    """Median-ready timings: the scales alternate call by call, so both see the same load."""
    for p in probes:
        if not p.listed:
            raise RuntimeError(f"{p.name}: no listed offering with seats to select")
        await selection_pairs(p, warmup + runs + 1)
    for query, call in CALLS.items():
        for p in probes:
            p.timings[query] = []
        for i in range(warmup + runs):
            for p in probes:
                start = time.perf_counter()
                await call(p)
                elapsed = time.perf_counter() - start
                if i >= warmup:
                    p.timings[query].append(elapsed * 1000)


async def explain_all(p: Probe) -> None:
    """Run each query once more with the capture on; EXPLAIN every statement it sent."""
    conn = await asyncpg.connect(dsn(p.url))
    try:
        for query, call in CALLS.items():
            p.captured = []
            await call(p)
            captured, p.captured = p.captured, None
            p.plans[query] = [await _explain(conn, sql, params) for sql, params in captured]
    finally:
        await conn.close()


async def _explain(conn: asyncpg.Connection, sql: str, params: Any) -> Plan:
    args = list(params or ())
    prefix = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
    tx = conn.transaction()
    await tx.start()
    try:
        raw = await conn.fetchval(prefix + sql, *args)
    except asyncpg.PostgresError:
        # An INSERT that collides with the row the real call just wrote: the plan without
        # running it.
        await tx.rollback()
        tx = conn.transaction()
        await tx.start()
        raw = await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, *args)
    finally:
        await tx.rollback()
    tree = json.loads(raw)[0]["Plan"]
    return Plan(sql=" ".join(sql.split()), tree=tree, lines=list(_render(tree, 0)))


def _render(node: dict[str, Any], depth: int) -> Any:
    label = node["Node Type"]
    if "Index Name" in node:
        label += f" using {node['Index Name']}"
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
    extra = []
    if "Actual Rows" in node:
        extra.append(f"rows={node['Actual Rows']:g}")
        extra.append(f"{node['Actual Total Time']:.2f} ms")
    if "Shared Hit Blocks" in node:
        extra.append(f"buffers={node['Shared Hit Blocks'] + node.get('Shared Read Blocks', 0)}")
    yield "  " * depth + label + (f" ({', '.join(extra)})" if extra else "")
    for child in node.get("Plans", ()):
        yield from _render(child, depth + 1)


def _nodes(node: dict[str, Any]) -> Any:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def plan_problems(plans: list[Plan]) -> tuple[list[str], list[str]]:
    """(indexes used, problems): a Seq Scan on a big table is a problem, and so is a query
    that reads a big table without any index."""
    used: list[str] = []
    problems: list[str] = []
    reads_big = False
    for plan in plans:
        for node in _nodes(plan.tree):
            relation = node.get("Relation Name")
            if relation in BIG_TABLES:
                reads_big = True
            if node["Node Type"] == "Seq Scan" and relation in BIG_TABLES:
                problems.append(f"Seq Scan on {relation}: {plan.sql[:120]}")
            if "Index Name" in node:
                used.append(node["Index Name"])
    if reads_big and not used:
        problems.append("no index used")
    return sorted(set(used)), problems
