"""A profiling aid: CPU per full flow, by process, for the service variant only (the calls the
gateway makes, sent straight to the services), in a few rounds — quicker than `make bench`
when only one service's cost is being worked on.

    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.enrolment_cpu [--flows 40] [--rounds 3] [--profile enrolment]

Same stack as `make bench` (bench/stack.py: fresh databases, the four processes, statement
counting on); prints each round's CPU ms per flow and the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import aiohttp

from bench.cpu import CpuMeter, postmaster_pid
from bench.flow import Http, Principals, ServiceVariant, setup_staff
from bench.run import flow_segment, median
from bench.stack import bench_stack

PROCESSES = ("enrolment", "postgres", "institutions", "evaluation", "loadgen")


async def measure(flows: int, rounds: int, concurrency: int, profile: list[str], out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="jineng-enrolment-cpu-") as tmp:
        async with (
            bench_stack(Path(tmp), profile, out) as st,
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=4.0),
                timeout=aiohttp.ClientTimeout(total=120),
            ) as session,
        ):
            http = Http(session)
            staff = await setup_staff(http, st.urls["gateway"])
            service = ServiceVariant(
                http, st.urls, Principals.for_institution(staff.institution_id)
            )
            meter = CpuMeter(st.pids(), await postmaster_pid(st.dsn("enrolment")))
            await flow_segment(service, meter, 10, concurrency)  # warm-up, not counted
            per_round: dict[str, list[float]] = {p: [] for p in PROCESSES}
            for r in range(rounds):
                seg = await flow_segment(service, meter, flows, concurrency)
                ms = {p: seg.cpu_s.get(p, 0.0) * 1e3 / seg.count for p in PROCESSES}
                for p in PROCESSES:
                    per_round[p].append(ms[p])
                figures = "  ".join(f"{p} {ms[p]:.1f}" for p in PROCESSES)
                print(f"round {r + 1}: {seg.per_s:.2f} flows/s; CPU ms per flow: {figures}")
                sys.stdout.flush()
            medians = "  ".join(f"{p} {median(per_round[p]):.1f}" for p in PROCESSES)
            print(f"median CPU ms per flow: {medians}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.enrolment_cpu")
    parser.add_argument("--flows", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--profile", action="append", default=[])
    parser.add_argument("--out", type=Path, default=Path("var/bench/enrolment-cpu"))
    args = parser.parse_args(argv)
    asyncio.run(measure(args.flows, args.rounds, args.concurrency, args.profile, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
