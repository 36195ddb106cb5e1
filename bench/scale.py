"""Scale: do the hot queries stay fast with a million orders?

    python -m bench.scale [--orders 1000000] [--workers 500000] [--runs 150] [--keep] [--reuse]

Generates two enrolment databases on the PostgreSQL server of BENCH_DATABASE_URL (else
TEST_DATABASE_URL, else 127.0.0.1:5432): a small one (10,000 orders for 5,000 workers) and
a big one (--orders for --workers), across the 15 units, over 2019–2021 (bench/scale_data.py).
Then times four queries through the enrolment service over HTTP in process, the two scales
alternating call by call: the cap check (the whole selection step), a worker's order list,
the offering search and the unit report (bench/scale_probe.py). Prints the medians side by
side with their ratio and the EXPLAIN (ANALYZE, BUFFERS) plans of every statement each
query sent at the big scale. Exits 1 if a ratio is above 2 or a plan reads a big table
without an index. The databases are dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from contextlib import AsyncExitStack

import asyncpg

from bench.pg import database_url, drop_database, dsn, server_url
from bench.scale_data import create_enrolment_database, generate
from bench.scale_probe import QUERIES, Probe, explain_all, plan_problems, probe, time_all
from plumbing.migrate import head_revision, upgrade

SMALL_ORDERS, SMALL_WORKERS = 10_000, 5_000
MAX_RATIO = 2.0


def database_name(orders: int, workers: int) -> str:
    return f"jineng_scale_{orders}_{workers}"


async def _exists(server: str, name: str) -> bool:
    conn = await asyncpg.connect(dsn(server))
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


async def prepare(server: str, orders: int, workers: int, reuse: bool) -> str:
    """The database for this scale: generated now, or (with --reuse) the kept one, migrated
    to head (a new index is built on the existing rows)."""
    name = database_name(orders, workers)
    url = database_url(server, name)
    if reuse and await _exists(server, name):
        print(f"reusing {name}; migrating to {head_revision('enrolment')}", flush=True)
        await asyncio.to_thread(upgrade, "enrolment", url)
        return url
    print(f"generating {name}: {orders:,} orders for {workers:,} workers", flush=True)
    url = await create_enrolment_database(server, name)
    summary = await generate(url, orders, workers)
    print(
        f"  {summary.workers:,} workers, {summary.offerings:,} offerings, {summary.orders:,}"
        f" orders, {summary.events:,} order events, {summary.requests:,} requests,"
        f" {summary.claims:,} claims, {summary.year_counts:,} worker-year counters,"
        f" {summary.step_counts:,} unit step counts",
        flush=True,
    )
    return url


def report(small: Probe, big: Probe) -> bool:
    """Print the side-by-side table and the big scale's plans; True if every check passes."""
    ok = True
    width = max(len(q) for q in QUERIES)
    print()
    print(f"{'query':<{width}}  {small.name:>16}  {big.name:>16}  ratio  p95 (big)")
    for query in QUERIES:
        a = statistics.median(small.timings[query])
        b = statistics.median(big.timings[query])
        p95 = statistics.quantiles(big.timings[query], n=20)[-1]
        ratio = b / a
        mark = "" if ratio <= MAX_RATIO else "  > 2x"
        ok &= ratio <= MAX_RATIO
        print(f"{query:<{width}}  {a:13.2f} ms  {b:13.2f} ms  {ratio:5.2f}  {p95:6.2f} ms{mark}")
    print(f"\n(medians of {len(big.timings[QUERIES[0]])} calls each, after warm-up)")
    for query in QUERIES:
        used, problems = plan_problems(big.plans[query])
        print(f"\n== {query} at {big.name}: indexes {', '.join(used) or 'none'}")
        for plan in big.plans[query]:
            print(f"-- {plan.sql[:160]}")
            for line in plan.lines:
                print("   " + line)
        for problem in problems:
            print(f"!! {problem}")
        ok &= not problems
    return ok


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=500_000)
    parser.add_argument("--small-orders", type=int, default=SMALL_ORDERS)
    parser.add_argument("--small-workers", type=int, default=SMALL_WORKERS)
    parser.add_argument("--runs", type=int, default=150, help="timed calls per query and scale")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--reuse", action="store_true", help="use kept databases if present")
    args = parser.parse_args(argv)
    server = server_url()
    scales = [(args.small_orders, args.small_workers), (args.orders, args.workers)]
    urls = [await prepare(server, o, w, args.reuse) for o, w in scales]
    try:
        async with AsyncExitStack() as stack:
            small, big = [
                await stack.enter_async_context(probe(f"{o:,} orders", url))
                for (o, _), url in zip(scales, urls, strict=True)
            ]
            print(f"\ntiming {len(QUERIES)} queries, {args.runs} calls each per scale", flush=True)
            await time_all([small, big], args.runs, args.warmup)
            await explain_all(big)
        ok = report(small, big)
    finally:
        if not args.keep:
            for o, w in scales:
                await drop_database(server, database_name(o, w))
    print("\nOK" if ok else "\nFAILED: a ratio above 2 or a plan without its index")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
