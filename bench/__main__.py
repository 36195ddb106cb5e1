"""`make bench`: the five-order flow on PostgreSQL — floor, services, gateway — in one run.

    python -m bench            # the full run, a few minutes
    python -m bench --quick    # tiny counts, for the test (tests/bench/test_bench.py)

The floor is the services' own SQL, recorded at the start of the run with the SQL trace
and replayed with asyncpg (bench/floor.py, bench/replay.py), for the selection step and for
the whole flow. Prints the tables, writes var/bench/bench.json and var/bench/latency.png,
and ends with `bench: flows_per_s=N gateway_vs_service=R service_vs_floor=R p99_ms=N`.
What each figure means: docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bench import report
from bench.cpu import CpuMeter, postmaster_pid
from bench.floor import DATABASES, FloorPools, FloorVariant, TracedService, record, verify
from bench.flow import (
    COHORT,
    STEPS,
    GatewayVariant,
    Http,
    Principals,
    Recorder,
    ServiceVariant,
    internal,
    setup_staff,
)
from bench.run import (
    Segment,
    flow_segment,
    median,
    open_loop,
    percentile,
    selection_segment,
)
from bench.stack import bench_stack
from plumbing.settings import REPO_ROOT

FULL = {
    "rounds": 3,
    "warmup": COHORT,
    "select_n": 60,
    # 10 at a time, as the flows: the floor's pools (one per database, as many connections
    # as callers) stay open beside the services' pools during the rounds, and the server's
    # default max_connections is 100 (16 callers took a run to 95 connections).
    "select_concurrency": 10,
    "flow_n": 30,
    "flow_concurrency": 10,
    "open_loop_s": 8.0,
    "open_loop_min_flows": 20,
    # The half-load point gives the per-step percentiles: enough flows that a p99 is not
    # simply the slowest sample (with 100, the 99th percentile sits between the two slowest).
    "half_load_min_flows": 100,
    "sweep": [0.25, 0.5, 0.75, 1.0],
}
QUICK = {
    "rounds": 1,
    "warmup": 1,
    "select_n": 6,
    "select_concurrency": 3,
    "flow_n": 4,
    "flow_concurrency": 4,
    "open_loop_s": 1.0,
    "open_loop_min_flows": 2,
    "half_load_min_flows": 2,
    "sweep": [0.5, 1.0],
}


def _ms(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50) * 1000,
        "p95_ms": percentile(values, 95) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
    }


def _ratio(top: list[float], bottom: list[float]) -> float | None:
    pairs = [a / b for a, b in zip(top, bottom, strict=False) if b > 0]
    return median(pairs) if pairs else None


def _cpu_total(segments: list[Segment]) -> tuple[dict[str, float], int, int]:
    total: dict[str, float] = {}
    for s in segments:
        for k, v in s.cpu_s.items():
            total[k] = total.get(k, 0.0) + v
    return total, sum(s.rec.requests for s in segments), sum(s.count for s in segments)


async def measure(
    cfg: dict[str, Any], out_dir: Path, say: Any, profile: list[str]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jineng-bench-") as tmp:
        trace_dir = Path(tmp) / "sqltrace"
        async with (
            bench_stack(Path(tmp), profile, out_dir, trace_dir) as st,
            aiohttp.ClientSession(
                # Idle connections go before uvicorn's 5 s keep-alive closes them, as in the
                # gateway (gateway/transport.py): no request goes out on a closing connection.
                connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=4.0),
                timeout=aiohttp.ClientTimeout(total=120),
            ) as session,
        ):
            http = Http(session)
            say(f"stack up: {st.urls['gateway']}; databases on {st.server.split('@')[-1]}")
            staff = await setup_staff(http, st.urls["gateway"])
            gateway = GatewayVariant(http, st.urls["gateway"], staff)
            who = Principals.for_institution(staff.institution_id)
            service = ServiceVariant(http, st.urls, who)
            # The floor's SQL: four flows recorded through the traced services, then the
            # processes restart without the trace (bench/floor.py).
            templates = await record(TracedService(http, st.urls, who), trace_dir)
            await st.untrace()
            say(
                f"recorded the services' SQL: {templates.leader.statement_count()} statements "
                f"for a cohort leader's flow, {templates.follower.statement_count()} for the "
                f"others', {templates.statements_per_selection()} for a selection"
            )
            pools = await FloorPools.open(
                {s: st.dsn(s) for s in DATABASES},
                max(cfg["select_concurrency"], cfg["flow_concurrency"]),
            )
            floor = FloorVariant(pools, templates)
            conn = await asyncpg.connect(st.dsn("enrolment"))
            pg_version = str(await conn.fetchval("SHOW server_version"))
            await conn.close()
            meter = CpuMeter(st.pids(), await postmaster_pid(st.dsn("enrolment")))
            try:
                # Warm-up (not counted): connections, prepared statements, code paths.
                warm = cfg["warmup"]
                await flow_segment(floor, meter, warm, warm)
                await flow_segment(service, meter, warm, warm)
                await flow_segment(gateway, meter, warm, warm)
                await selection_segment(pools, service, meter, warm, warm, templates)
                sel: dict[str, list[Segment]] = {"floor": [], "service": [], "gateway": []}
                flows: dict[str, list[Segment]] = {"floor": [], "service": [], "gateway": []}
                for r in range(cfg["rounds"]):
                    for name, variant in (
                        ("floor", pools),
                        ("service", service),
                        ("gateway", gateway),
                    ):
                        seg = await selection_segment(
                            variant,
                            service,
                            meter,
                            cfg["select_n"],
                            cfg["select_concurrency"],
                            templates,
                        )
                        sel[name].append(seg)
                        say(f"round {r + 1} select {name}: {seg.per_s:.1f}/s")
                    for name, fvariant in (
                        ("floor", floor),
                        ("service", service),
                        ("gateway", gateway),
                    ):
                        fseg = await flow_segment(
                            fvariant, meter, cfg["flow_n"], cfg["flow_concurrency"]
                        )
                        flows[name].append(fseg)
                        say(f"round {r + 1} flow {name}: {fseg.per_s:.2f} flows/s")
                # The floor's flows did the work (orders and claims paid, the ledger balanced,
                # certificates issued) and kept the audit chain intact.
                floor_check = await verify(pools, floor.workers)
                floor_check["audit_chain_ok"] = await audit_chain_ok(http, st.urls["enrolment"])
                say(f"floor flows checked: {floor_check}")
                # The floor is done: its connections go before the sweep overloads the
                # services, whose pools then grow to their limit (the one run that failed got
                # a 500 from evaluation there, most likely a connection the server refused).
                await pools.close()
                max_rate = median([s.per_s for s in flows["gateway"]])
                sweep = []
                half: Segment | None = None
                for fraction in cfg["sweep"]:
                    seg = await open_loop(
                        gateway,
                        meter,
                        fraction * max_rate,
                        cfg["open_loop_s"],
                        cfg["half_load_min_flows" if fraction == 0.5 else "open_loop_min_flows"],
                    )
                    say(f"open loop {fraction:.2f} × max: {seg.per_s:.2f} flows/s achieved")
                    steps_p99 = [percentile(v, 99) for v in seg.rec.latencies.values()]
                    sweep.append(
                        {
                            "fraction": fraction,
                            "offered_per_s": fraction * max_rate,
                            "achieved_per_s": seg.per_s,
                            **_ms(seg.rec.flows),
                            "step_p99_ms": max(steps_p99) * 1000 if steps_p99 else 0.0,
                        }
                    )
                    if fraction == 0.5:
                        half = seg
                assert half is not None, "the sweep must include 0.5"
            finally:
                await pools.close()
    result = assemble(cfg, pg_version, sel, flows, sweep, half, max_rate)
    result["unavailable_503"] = http.unavailable
    result["floor_check"] = floor_check
    return result


async def audit_chain_ok(http: Http, enrolment: str) -> bool:
    """Enrolment's own check of the audit chain (the floor extends it with its rules)."""
    finance = Principals.for_institution(0).finance
    body = await http.call("GET", enrolment + "/v1/audit/verify", 200, internal(finance))
    ok = bool(body["ok"])
    if not ok:
        raise RuntimeError(f"the audit chain is broken after the floor: {body}")
    return ok


def assemble(
    cfg: dict[str, Any],
    pg_version: str,
    sel: dict[str, list[Segment]],
    flows: dict[str, list[Segment]],
    sweep: list[dict[str, Any]],
    half: Segment,
    max_rate: float,
) -> dict[str, Any]:
    per_s = {k: [s.per_s for s in v] for k, v in sel.items()}
    flow_per_s = {k: [s.per_s for s in v] for k, v in flows.items()}
    ratios = {
        "select_gateway_vs_service": _ratio(per_s["gateway"], per_s["service"]),
        "select_service_vs_floor": _ratio(per_s["service"], per_s["floor"]),
        "flow_gateway_vs_service": _ratio(flow_per_s["gateway"], flow_per_s["service"]),
        "flow_service_vs_floor": _ratio(flow_per_s["service"], flow_per_s["floor"]),
    }
    steps = {s: _ms(half.rec.latencies[s]) for s in STEPS if half.rec.latencies.get(s)}
    statements: dict[str, dict[str, Any]] = {}
    svc_rec, gw_rec = Recorder(), Recorder()
    for seg in flows["service"]:
        for k, v in seg.rec.statements.items():
            svc_rec.statements[k].extend(v)
    for seg in flows["gateway"]:
        for k, v in seg.rec.statements.items():
            gw_rec.statements[k].extend(v)
    floor_rec = Recorder()
    for seg in flows["floor"]:
        for k, v in seg.rec.statements.items():
            floor_rec.statements[k].extend(v)
    for s in STEPS:
        statements[s] = {
            "floor": median([float(x) for x in floor_rec.statements.get(s, [])]),
            "services": median([float(x) for x in svc_rec.statements.get(s, [])]),
            "gateway": median([float(x) for x in gw_rec.statements.get(s, [])]),
        }
    cpu_req: dict[str, dict[str, float]] = {}
    cpu_flow: dict[str, dict[str, float]] = {}
    for label, segs in (
        ("select floor", sel["floor"]),
        ("select service", sel["service"]),
        ("select gateway", sel["gateway"]),
        ("flow floor", flows["floor"]),
        ("flow service", flows["service"]),
        ("flow gateway", flows["gateway"]),
        ("flow gateway, open loop ½", [half]),
    ):
        total, requests, count = _cpu_total(segs)
        cpu_req[label] = {k: v * 1e6 / requests for k, v in total.items()} if requests else {}
        if label.startswith("flow"):
            cpu_flow[label] = {k: v * 1e3 / count for k, v in total.items()} if count else {}
    p99 = max((v["p99_ms"] for v in steps.values()), default=0.0)
    summary = {
        "flows_per_s": max_rate,
        "gateway_vs_service": ratios["select_gateway_vs_service"] or 0.0,
        "service_vs_floor": ratios["select_service_vs_floor"] or 0.0,
        "p99_ms": p99,
    }
    return {
        "machine": report.machine(pg_version),
        "config": {**cfg, "cohort": COHORT},
        "select": {
            "per_round": per_s,
            "median": {k: median(v) for k, v in per_s.items()},
            "requests_per_selection": {
                k: v[0].rec.requests / v[0].count for k, v in sel.items() if v
            },
        },
        "flow": {
            "per_round": flow_per_s,
            "median": {k: median(v) for k, v in flow_per_s.items()},
            "requests_per_flow": {k: v[0].rec.requests / v[0].count for k, v in flows.items() if v},
        },
        "ratios": ratios,
        "open_loop": {
            "rate_per_s": 0.5 * max_rate,
            "achieved_per_s": half.per_s,
            "steps": steps,
            "flow": _ms(half.rec.flows),
        },
        "sweep": sweep,
        "sql_statements_per_step": statements,
        "cpu_us_per_request": cpu_req,
        "cpu_ms_per_flow": cpu_flow,
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts (seconds, for tests)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "bench")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=["gateway", "institutions", "enrolment", "evaluation"],
        help="run this process under pyinstrument; its report goes to <out>/profile-<name>.txt",
    )
    args = parser.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        result = asyncio.run(measure(cfg, args.out, say, args.profile))
    except KeyboardInterrupt:
        say("interrupted; the processes are stopped and the databases dropped")
        return 130
    print(report.render(result))
    report.write_json(result, args.out / "bench.json")
    report.plot(result, args.out / "latency.png")
    print(f"\nwrote {args.out / 'bench.json'} and {args.out / 'latency.png'}")
    print(report.last_line(result["summary"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
