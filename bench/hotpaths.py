"""Profiles of the selection step (pyinstrument): enrolment's POST /v1/orders in process, and
the gateway's POST /api/v1/orders in process in front of the real services.

    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.hotpaths [--requests 400] [--concurrency 8]

The services run as in `make run` (scripts/launch.py) on fresh PostgreSQL databases; the
profiled app runs in this process on an ASGI transport, so its profile holds only its own
work (plus the transport's few frames). Prints each profile as text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from pyinstrument import Profiler

from bench.clients import Tickets, seed, worker
from gateway.accounts.security import issue_access_token
from gateway.clients import Downstream
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as create_gateway
from services.enrolment.main import create_app as create_enrolment
from tests.stack import RunningStack, running_stack
from tests.support import internal_headers


async def run(
    one: Callable[[], Awaitable[int]], requests: int, concurrency: int, title: str
) -> None:
    left = requests
    statuses: dict[int, int] = {}

    async def caller() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status = await one()
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(caller() for _ in range(concurrency)))  # warm up
    left = requests
    profiler = Profiler(async_mode="disabled")
    profiler.start()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    profiler.stop()
    print(f"\n## {title}: statuses {statuses}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


async def profile_enrolment(
    stack: RunningStack, tickets: Tickets, args: argparse.Namespace
) -> None:
    app = create_enrolment(db_url=stack.database_urls["enrolment"])
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://enrolment"
        ) as client,
    ):

        async def one() -> int:
            n, offering = tickets.next()
            response = await client.post(
                "/v1/orders",
                content=json.dumps({"offering_id": offering, "held_certificates": []}),
                headers={**internal_headers(worker(n)), "content-type": "application/json"},
            )
            return response.status_code

        await run(one, args.requests, args.concurrency, "enrolment POST /v1/orders")


async def profile_gateway(stack: RunningStack, tickets: Tickets, args: argparse.Namespace) -> None:
    settings = GatewaySettings(
        institutions_url=stack.urls["institutions"],
        enrolment_url=stack.urls["enrolment"],
        evaluation_url=stack.urls["evaluation"],
    )
    app = create_gateway(settings, db_url=stack.database_urls["gateway"])
    app.state.downstream = Downstream(settings)
    tokens: dict[int, str] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://gateway"
    ) as client:

        async def one() -> int:
            n, offering = tickets.next()
            if n not in tokens:
                tokens[n] = issue_access_token(settings, worker(n))
            response = await client.post(
                "/api/v1/orders",
                json={"offering_id": offering},
                headers={"Authorization": f"Bearer {tokens[n]}"},
            )
            return response.status_code

        await run(one, args.requests, args.concurrency, "gateway POST /api/v1/orders")
    await app.state.downstream.aclose()


async def main_async(args: argparse.Namespace) -> None:
    if not args.database_url:
        raise SystemExit("set TEST_DATABASE_URL (or --database-url) to a PostgreSQL server")
    workers = args.requests * 4 // 3 + 10
    with tempfile.TemporaryDirectory(prefix="bench-hotpaths-") as tmp:
        async with running_stack("postgresql", Path(tmp), args.database_url) as stack:
            offerings = await seed(stack, workers, 10_000)
            tickets = Tickets(workers, offerings)
            if "enrolment" in args.part:
                await profile_enrolment(stack, tickets, args)
            if "gateway" in args.part:
                await profile_gateway(stack, tickets, args)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpaths", description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--part", default="enrolment,gateway")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
