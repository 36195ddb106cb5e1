"""The gateway's HTTP client libraries side by side, and the selection step through the
gateway against the same step sent to enrolment directly.

    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.clients [--part trivial,service,flow,sniffio] [--seconds 3]

Parts (each prints req/s, the client's CPU µs per request and ratios; runs are interleaved
and repeated `--rounds` times, the median is shown):

- trivial: httpx, httpx2 and aiohttp (gateway/transport.py, the interface the gateway uses)
  against a trivial uvicorn app: the cost of the client library alone.
- service: the three against enrolment's real selection endpoint (POST /v1/orders).
- flow: the selection step (POST /api/v1/orders) through the gateway, restarted with each
  JINENG_HTTP_CLIENT, against POST /v1/orders on enrolment directly. The ratio
  gateway ÷ service is the figure issue 8 asks ≥ 0.8 of.
- sniffio: httpx against the trivial app in a subprocess with and without `sniffio`
  importable (httpcore looks for it on every connection-pool operation).

The whole stack runs on fresh PostgreSQL databases on the server of TEST_DATABASE_URL
(dropped at the end). A figure, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.cn import ric

from gateway.accounts.security import issue_access_token
from gateway.config import Settings as GatewaySettings
from gateway.transport import CLIENT_KINDS, Limits, Transport, make_transport
from plumbing.principal import Principal
from plumbing.settings import REPO_ROOT
from scripts.launch import free_port
from tests.stack import DEMO_PASSWORD, RunningStack, running_stack
from tests.support import internal_headers

# About the size of an order as the services answer it.
TRIVIAL_BODY = json.dumps({"id": 1, "status": "selected", "padding": "x" * 600}).encode()
LEVELS = (5, 4, 3)  # three occupations+levels: a worker may hold three orders a year
OCCUPATION = "4-10-01-05"
FIRST_WORKER_ID = 1_000_000


async def trivial_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that reads the request and answers a fixed JSON body."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": TRIVIAL_BODY})


@dataclass
class Sample:
    requests: int
    errors: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        return self.requests / self.wall_s

    @property
    def cpu_us(self) -> float:
        return self.cpu_s / max(1, self.requests) * 1e6


async def drive(one: Callable[[], Awaitable[bool]], seconds: float, concurrency: int) -> Sample:
    """Closed loop: `concurrency` callers send one request after another for `seconds`.
    CPU is this process's: what the client library costs per request."""
    done = errors = 0
    stop = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal done, errors
        while time.perf_counter() < stop:
            try:
                ok = await one()
            except Exception:
                ok = False
            done += 1
            errors += not ok

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return Sample(done, errors, time.perf_counter() - wall0, time.process_time() - cpu0)


def limits() -> Limits:
    return Limits(connect_timeout_s=2.0, read_timeout_s=10.0)


async def compare(
    title: str,
    variants: dict[str, Callable[[], Awaitable[Callable[[], Awaitable[bool]]]]],
    args: argparse.Namespace,
    cleanup: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, list[Sample]]:
    """Run every variant once per round, in turn; print the medians and the ratios to the
    first variant."""
    results: dict[str, list[Sample]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, make in variants.items():
            one = await make()
            await drive(one, 0.3, args.concurrency)  # warm the pools
            results[name].append(await drive(one, args.seconds, args.concurrency))
            if cleanup is not None:
                await cleanup()
    report(title, results)
    return results


def report(title: str, results: dict[str, list[Sample]]) -> None:
    print(f"\n## {title}")
    print(f"{'variant':<22}{'req/s':>10}{'client CPU µs/req':>20}{'errors':>8}{'÷ first':>10}")
    first: float | None = None
    for name, samples in results.items():
        rate = statistics.median(s.rate for s in samples)
        cpu = statistics.median(s.cpu_us for s in samples)
        errors = sum(s.errors for s in samples)
        first = first or rate
        print(f"{name:<22}{rate:>10.0f}{cpu:>20.0f}{errors:>8}{rate / first:>10.2f}")


class Transports:
    """One transport per (kind, url), closed at the end."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], Transport] = {}

    def get(self, kind: str, url: str) -> Transport:
        key = (kind, url)
        if key not in self._open:
            self._open[key] = make_transport(kind, url, limits())  # type: ignore[arg-type]
        return self._open[key]

    async def close(self) -> None:
        for transport in self._open.values():
            await transport.aclose()
        self._open.clear()


def start_trivial(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (fixed argv)
        [
            *(sys.executable, "-m", "uvicorn", "bench.clients:trivial_app"),
            *("--port", str(port), "--http", "httptools", "--no-access-log"),
            *("--log-level", "warning"),
        ],
        cwd=REPO_ROOT,
    )


async def wait_port(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError(f"nothing listens on {port}")


async def part_trivial(args: argparse.Namespace) -> None:
    port = free_port()
    server = start_trivial(port)
    transports = Transports()
    try:
        await wait_port(port)
        url = f"http://127.0.0.1:{port}"

        def variant(kind: str) -> Callable[[], Awaitable[Callable[[], Awaitable[bool]]]]:
            async def make() -> Callable[[], Awaitable[bool]]:
                transport = transports.get(kind, url)

                async def one() -> bool:
                    reply = await transport.send(
                        "POST", "/x", content=b'{"a":1}', params=None, headers={}
                    )
                    return reply.status == 200

                return one

            return make

        await compare(
            "Client libraries against a trivial uvicorn app",
            {kind: variant(kind) for kind in CLIENT_KINDS},
            args,
        )
    finally:
        await transports.close()
        server.terminate()
        server.wait()


# --- the real stack -------------------------------------------------------------------


def id_number(n: int) -> str:
    """A valid, distinct GB 11643 ID number per n (born 1990-2003: all of working age)."""
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=n % 5000)
    body = f"370802{birth:%Y%m%d}{n // 5000 % 999 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def worker(n: int) -> Principal:
    return Principal(id=FIRST_WORKER_ID + n, role="worker")


async def seed(stack: RunningStack, workers: int, capacity: int) -> list[int]:
    """An institution, one offering per level (capacity as asked) and `workers` profiles;
    returns the offering ids."""
    gw = make_transport("httpx", stack.gateway, limits())
    enrolment = make_transport("httpx", stack.urls["enrolment"], limits())
    try:

        async def ok(
            t: Transport, method: str, path: str, body: Any, headers: dict[str, str]
        ) -> Any:
            reply = await t.send(
                method,
                path,
                content=json.dumps(body).encode(),
                params=None,
                headers={"content-type": "application/json", **headers},
            )
            assert reply.status < 300, (path, reply.status, reply.body[:300])
            return json.loads(reply.body)

        token = await ok(
            gw,
            "POST",
            "/api/v1/auth/token",
            {"username": "city-officer", "password": DEMO_PASSWORD},
            {},
        )
        officer = {"Authorization": f"Bearer {token['access_token']}"}
        from tests.e2e.client import credit_code

        inst = await ok(
            gw,
            "POST",
            "/api/v1/institutions",
            {
                "name": "济宁市基准测试培训学校",
                "credit_code": credit_code(),
                "kind": "private",
                "unit_code": "rencheng",
                "approvals": [{"occupation_code": OCCUPATION, "level": lv} for lv in LEVELS],
            },
            officer,
        )
        today = dt.datetime.now(dt.UTC).date()
        offerings = []
        for level in LEVELS:
            offering = await ok(
                gw,
                "POST",
                "/api/v1/offerings",
                {
                    "institution_id": inst["id"],
                    "occupation_code": OCCUPATION,
                    "level": level,
                    "unit_code": "rencheng",
                    "capacity": capacity,
                    "hours": 40,
                    "starts_on": (today + dt.timedelta(days=2)).isoformat(),
                    "ends_on": (today + dt.timedelta(days=40)).isoformat(),
                },
                officer,
            )
            offerings.append(int(offering["id"]))
        pending = deque(range(workers))

        async def profiles() -> None:
            while pending:
                n = pending.popleft()
                await ok(
                    enrolment,
                    "PUT",
                    "/v1/workers/me/profile",
                    {
                        "id_number": id_number(n),
                        "name": "王小明",
                        "phone": f"139{n:08d}",
                        "unit_code": "rencheng",
                        "group": "unemployed",
                        "receives_pension": False,
                    },
                    internal_headers(worker(n)),
                )

        await asyncio.gather(*(profiles() for _ in range(8)))
        return offerings
    finally:
        await gw.aclose()
        await enrolment.aclose()


class Tickets:
    """(worker, offering) pairs nobody has used yet: every selection succeeds once. A worker's
    three come `workers` apart, so no two callers select for the same worker at once."""

    def __init__(self, workers: int, offerings: list[int]) -> None:
        self._it: Iterator[tuple[int, int]] = (
            (n, off) for off in offerings for n in range(workers)
        )

    def next(self) -> tuple[int, int]:
        return next(self._it)


def selection_direct(transport: Transport, tickets: Tickets) -> Callable[[], Awaitable[bool]]:
    token = internal_headers()

    async def one() -> bool:
        n, offering = tickets.next()
        body = {"offering_id": offering, "held_certificates": []}
        reply = await transport.send(
            "POST",
            "/v1/orders",
            content=json.dumps(body).encode(),
            params=None,
            headers={
                **token,
                "x-principal": worker(n).header_value(),
                "content-type": "application/json",
            },
        )
        return reply.status == 201

    return one


def selection_gateway(
    transport: Transport, tickets: Tickets, settings: GatewaySettings
) -> Callable[[], Awaitable[bool]]:
    tokens: dict[int, str] = {}

    async def one() -> bool:
        n, offering = tickets.next()
        if n not in tokens:
            tokens[n] = issue_access_token(settings, worker(n))
        reply = await transport.send(
            "POST",
            "/api/v1/orders",
            content=json.dumps({"offering_id": offering}).encode(),
            params=None,
            headers={"Authorization": f"Bearer {tokens[n]}", "content-type": "application/json"},
        )
        return reply.status == 201

    return one


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids(stack: RunningStack) -> list[int]:
    """The PostgreSQL backends serving the stack's databases (named in their command line)."""
    names = [url.rsplit("/", 1)[1].split("?")[0] for url in stack.database_urls.values()]
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("postgres") and any(name in cmdline for name in names):
            pids.append(int(proc.name))
    return pids


def cpu_snapshot(stack: RunningStack) -> dict[str, float]:
    """CPU seconds used so far by each process of the stack, and by each of its database
    backends (as "pg:<pid>": backends come and go with the pools)."""
    out = {}
    for name, proc in stack.stack.processes.items():
        if proc.popen.poll() is None:
            out[name] = cpu_seconds(proc.popen.pid)
    for pid in postgres_pids(stack):
        try:
            out[f"pg:{pid}"] = cpu_seconds(pid)
        except OSError:
            continue
    return out


async def measured(
    stack: RunningStack, one: Callable[[], Awaitable[bool]], args: argparse.Namespace
) -> tuple[Sample, dict[str, float]]:
    """A run, and the CPU milliseconds per request each process spent on it: on a loaded
    machine the rate drops, the CPU each request costs much less."""
    before = cpu_snapshot(stack)
    sample = await drive(one, args.seconds, args.concurrency)
    after = cpu_snapshot(stack)
    per: dict[str, float] = {"postgres": 0.0}
    for key, used in after.items():
        spent = (used - before.get(key, 0.0)) * 1000 / max(1, sample.requests)
        if key.startswith("pg:"):
            per["postgres"] += spent
        else:
            per[key] = spent
    return sample, per


async def restart_gateway(stack: RunningStack, kind: str) -> None:
    await stack.stop_process("gateway")
    stack.stack.env = {**stack.stack.env, "JINENG_HTTP_CLIENT": kind}
    await stack.start_process("gateway")


async def part_stack(args: argparse.Namespace, parts: set[str]) -> None:
    server = args.database_url
    if not server:
        raise SystemExit("set TEST_DATABASE_URL (or --database-url) to a PostgreSQL server")
    per_run = int(args.seconds * args.max_rate) + 300  # selections one run may use
    runs = args.rounds * (("service" in parts) * 3 + ("flow" in parts) * (1 + len(args.kinds)))
    workers = per_run * runs // len(LEVELS) + 1
    with tempfile.TemporaryDirectory(prefix="bench-clients-") as tmp:
        async with running_stack("postgresql", Path(tmp), server) as stack:
            t0 = time.perf_counter()
            offerings = await seed(stack, workers, min(10_000, per_run * runs))
            print(f"(seeded {workers} workers in {time.perf_counter() - t0:.0f}s)")
            tickets = Tickets(workers, offerings)
            transports = Transports()
            try:
                if "service" in parts:
                    await part_service(args, stack, tickets, transports)
                if "flow" in parts:
                    await part_flow(args, stack, tickets, transports)
            finally:
                await transports.close()


async def part_service(
    args: argparse.Namespace, stack: RunningStack, tickets: Tickets, transports: Transports
) -> None:
    url = stack.urls["enrolment"]

    def variant(kind: str) -> Callable[[], Awaitable[Callable[[], Awaitable[bool]]]]:
        async def make() -> Callable[[], Awaitable[bool]]:
            return selection_direct(transports.get(kind, url), tickets)

        return make

    await compare(
        "Client libraries against enrolment's selection (POST /v1/orders)",
        {kind: variant(kind) for kind in CLIENT_KINDS},
        args,
    )


async def part_flow(
    args: argparse.Namespace, stack: RunningStack, tickets: Tickets, transports: Transports
) -> None:
    settings = GatewaySettings()
    driver = "aiohttp"
    results: dict[str, list[Sample]] = {"service directly": []}
    results.update({f"gateway ({kind})": [] for kind in args.kinds})
    cpu: dict[str, list[dict[str, float]]] = {name: [] for name in results}
    for _ in range(args.rounds):
        one = selection_direct(transports.get(driver, stack.urls["enrolment"]), tickets)
        await drive(one, 0.3, args.concurrency)
        sample, per = await measured(stack, one, args)
        results["service directly"].append(sample)
        cpu["service directly"].append(per)
        for kind in args.kinds:
            await restart_gateway(stack, kind)
            await transports.close()
            one = selection_gateway(transports.get(driver, stack.gateway), tickets, settings)
            await drive(one, 0.3, args.concurrency)
            sample, per = await measured(stack, one, args)
            results[f"gateway ({kind})"].append(sample)
            cpu[f"gateway ({kind})"].append(per)
    report(
        f"Selection step: through the gateway ÷ enrolment directly "
        f"({args.concurrency} callers, driven with {driver})",
        results,
    )
    names = ["gateway", "enrolment", "institutions", "evaluation", "postgres"]
    print("\nCPU ms per selection, by process (median):")
    print(f"{'variant':<22}" + "".join(f"{n:>13}" for n in names) + f"{'total':>10}")
    first_total = None
    for variant, runs in cpu.items():
        row = {n: statistics.median(r.get(n, 0.0) for r in runs) for n in names}
        total = sum(row.values())
        first_total = first_total or total
        cells = "".join(f"{row[n]:>13.2f}" for n in names)
        print(f"{variant:<22}{cells}{total:>10.2f}")
    if first_total:
        print("(CPU-bound, the step's throughput ratio is about first total ÷ a row's total)")


# --- sniffio --------------------------------------------------------------------------

HIDE_SNIFFIO = """
import importlib.machinery, sys
class Hide:
    # As if sniffio were not installed: the same search of sys.path, then not found.
    def find_spec(self, name, path=None, target=None):
        if name == "sniffio" or name.startswith("sniffio."):
            importlib.machinery.PathFinder.find_spec("sniffio_not_installed", path)
            raise ModuleNotFoundError(name)
        return None
sys.meta_path.insert(0, Hide())
"""


def part_sniffio(args: argparse.Namespace) -> None:
    port = free_port()
    server = start_trivial(port)
    code = f"""
import asyncio, sys
sys.argv = ["bench", "--part", "trivial-httpx", "--port", "{port}",
            "--seconds", "{args.seconds}", "--concurrency", "{args.concurrency}"]
from bench.clients import main
main()
"""
    try:
        asyncio.run(wait_port(port))
        rows: dict[str, list[tuple[float, float]]] = {
            "sniffio installed": [],
            "sniffio missing": [],
        }
        for _ in range(args.rounds):
            for name, prefix in (("sniffio installed", ""), ("sniffio missing", HIDE_SNIFFIO)):
                out = subprocess.run(  # noqa: S603 (our own interpreter and code)
                    [sys.executable, "-c", prefix + code],
                    cwd=REPO_ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                rate, cpu = (float(x) for x in out.split())
                rows[name].append((rate, cpu))
        print("\n## httpx with and without sniffio (trivial app)")
        print(f"{'variant':<22}{'req/s':>10}{'client CPU µs/req':>20}")
        for name, vals in rows.items():
            rate = statistics.median(v[0] for v in vals)
            cpu = statistics.median(v[1] for v in vals)
            print(f"{name:<22}{rate:>10.0f}{cpu:>20.0f}")
    finally:
        server.terminate()
        server.wait()


async def trivial_httpx_once(args: argparse.Namespace) -> None:
    """One httpx run against the trivial app; prints 'req/s cpu_us' (for part_sniffio)."""
    import httpcore._synchronization as sync

    transport = make_transport("httpx", f"http://127.0.0.1:{args.port}", limits())
    assert sync.current_async_library() == "asyncio"

    async def one() -> bool:
        reply = await transport.send("POST", "/x", content=b"{}", params=None, headers={})
        return reply.status == 200

    await drive(one, 0.3, args.concurrency)
    sample = await drive(one, args.seconds, args.concurrency)
    await transport.aclose()
    print(f"{sample.rate:.1f} {sample.cpu_us:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.clients", description=__doc__)
    parser.add_argument("--part", default="trivial,sniffio,service,flow")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--kinds", default=",".join(CLIENT_KINDS), help="gateway clients (flow)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument(
        "--max-rate", type=int, default=500, help="selections/s to seed for (service, flow)"
    )
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.kinds = [k for k in args.kinds.split(",") if k]
    parts = set(args.part.split(","))
    if "trivial-httpx" in parts:
        asyncio.run(trivial_httpx_once(args))
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; median of {args.rounds}")
    if "trivial" in parts:
        asyncio.run(part_trivial(args))
    if "sniffio" in parts:
        part_sniffio(args)
    if parts & {"service", "flow"}:
        asyncio.run(part_stack(args, parts))


if __name__ == "__main__":
    main()
