"""A profiling aid: the enrolment service's share of a full flow, in process and one flow at a
time, so its CPU per flow can be compared between commits on a busy machine (no other
process is timed, no HTTP hop) and profiled with cProfile.

    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.enrolment_inproc [--flows 60] [--rounds 5] [--cprofile N]

Each flow is the enrolment calls of bench/flow.py's service variant (the gateway's reads of
the offering and the order included), on a fresh migrated database of that server: profile,
request, selection, acceptance, attendance, completion, evaluation result, delivery
confirmation, claim, review, approval and payment; one offering per 10 workers. Prints this
process's CPU ms per flow (the ASGI client's work included: the same in every commit) for
each round, and the median; `--cprofile N` prints the N most expensive functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import pstats
import time
import uuid
from typing import Any

from httpx import ASGITransport, AsyncClient

from bench.pg import create_database, drop_database, server_url
from plumbing.clock import shanghai_today
from plumbing.db import make_engine, make_sessionmaker
from plumbing.migrate import upgrade
from plumbing.principal import Principal
from services.enrolment.config import Settings
from services.enrolment.main import create_app
from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    FINANCE,
    INSTITUTION,
    RENCHENG,
    offering_body,
    profile_body,
)
from tests.support import as_, internal_headers

_serial = itertools.count(10_000)


async def one_flow(c: AsyncClient, offering: dict[str, Any]) -> None:
    n = next(_serial)
    me = Principal(id=n, role="worker")

    async def call(method: str, url: str, who: Principal, expect: int = 200, **kw: Any) -> Any:
        r = await c.request(method, url, headers=as_(who), **kw)
        assert r.status_code == expect, r.text
        return r.json()

    await call("PUT", "/v1/workers/me/profile", me, json=profile_body(n))
    body = {"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"}
    request = await call("POST", "/v1/requests", me, 201, json=body)
    await call("GET", f"/v1/offerings/{offering['id']}", me)
    select = {"offering_id": offering["id"], "request_id": request["id"], "held_certificates": []}
    order = await call("POST", "/v1/orders", me, 201, json=select)
    oid = order["id"]
    await call("GET", f"/v1/orders/{oid}", INSTITUTION)
    await call("POST", f"/v1/orders/{oid}/accept", INSTITUTION)
    await call("GET", f"/v1/orders/{oid}", INSTITUTION)
    attend = {"on": shanghai_today().isoformat(), "hours": 8, "channel": "classroom"}
    await call("POST", f"/v1/orders/{oid}/attendance", INSTITUTION, 201, json=attend)
    await call("POST", f"/v1/orders/{oid}/complete", INSTITUTION)
    await call("GET", f"/v1/orders/{oid}", EVALUATOR)
    outcome = {"passed": True, "certificate_number": f"C{oid:08d}", "result_id": oid}
    await call("POST", f"/v1/orders/{oid}/evaluation", EVALUATOR, json=outcome)
    await call("POST", f"/v1/orders/{oid}/confirm", me)
    await call("GET", f"/v1/orders/{oid}", INSTITUTION)
    claim = await call("POST", f"/v1/orders/{oid}/claims", INSTITUTION, 201, json={})
    await call("POST", f"/v1/claims/{claim['id']}/review", RENCHENG, json={"reason": None})
    await call("POST", f"/v1/claims/{claim['id']}/approve", CITY, json={})
    await call("POST", f"/v1/claims/{claim['id']}/pay", FINANCE, json={})


async def flows(c: AsyncClient, n: int) -> None:
    offering: dict[str, Any] = {}
    for i in range(n):
        if i % 10 == 0:
            r = await c.post("/v1/offerings", json=offering_body(hours=8), headers=as_(CITY))
            assert r.status_code == 201, r.text
            offering = r.json()
        await one_flow(c, offering)


async def measure(n: int, rounds: int, top: int) -> None:
    server = server_url()
    name = f"jb_inproc_{uuid.uuid4().hex[:6]}"
    url = await create_database(server, name)
    try:
        await asyncio.to_thread(upgrade, "enrolment", url)
        app = create_app(Settings(public_notice_days=0, log_level="WARNING"), db_url=url)
        engine = make_engine(url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        transport = ASGITransport(app=app)
        async with AsyncClient(
            transport=transport, base_url="http://service", headers=internal_headers(None)
        ) as c:
            money = {"source": "special_training", "amount_fen": 10**12}
            r = await c.post("/v1/funds/deposits", json=money, headers=as_(FINANCE))
            assert r.status_code == 201, r.text
            await flows(c, 20)  # warm-up: connections, statement caches, code paths
            figures = []
            for r_ in range(rounds):
                t0 = time.process_time()
                await flows(c, n)
                ms = (time.process_time() - t0) * 1e3 / n
                figures.append(ms)
                print(f"round {r_ + 1}: {ms:.1f} CPU ms per flow", flush=True)
            figures.sort()
            print(f"median: {figures[len(figures) // 2]:.1f} CPU ms per flow")
            if top:
                profiler = cProfile.Profile()
                profiler.enable()
                await flows(c, n)
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("tottime").print_stats(top)
                stats.sort_stats("cumulative").print_stats(top)
        await engine.dispose()
    finally:
        await drop_database(server, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.enrolment_inproc")
    parser.add_argument("--flows", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    asyncio.run(measure(args.flows, args.rounds, args.cprofile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
