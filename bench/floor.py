"""The floor: the services' own SQL, sent straight to PostgreSQL with asyncpg — no HTTP, no
framework, no ORM — for the selection step and for the whole five-order flow.

Nothing here is copied from a statement log: at the start of `make bench` the services run
with the SQL trace on (plumbing/sqltrace.py) for four flows — two cohorts, each a leader
(which lists the offering and files its class plan) and a follower — made one after another
through the service variant, every request tagged with its flow and step. bench/replay.py
turns them into templates (the leaders into one, the followers into another, the follower's
selection step into the selection's) and replays them for new workers: one asyncpg pool per
database as the services have, the same transactions ending the same way, the same
statements in the same order, prepared once per connection (asyncpg's statement cache), ids
and values threaded from what the replay's own statements return. So the floor follows the
code: change a service's SQL and the next run's floor changes with it.

Left out, as the trace does not see them: the `BEGIN; ; ROLLBACK` of SQLAlchemy's
`pool_pre_ping` before each checkout (plumbing/db.py), a cost of the services' configuration.
A floor flow's cohort works like the services' (bench/flow.py run_flow): the leader's
listing and class plan come first, the followers wait for them.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench import replay
from bench.flow import (
    STEPS,
    Cohorts,
    Recorder,
    ServiceVariant,
    Variant,
    _worker_ids,
    request_tag,
)
from plumbing import sqltrace

DATABASES = ("institutions", "enrolment", "evaluation")
TAG = "sqltrace"
COHORT_STEPS = ("listing", "plan", "plan_ok")


@dataclass
class FloorPools:
    institutions: asyncpg.Pool
    enrolment: asyncpg.Pool
    evaluation: asyncpg.Pool

    @classmethod
    async def open(cls, dsns: dict[str, str], size: int) -> FloorPools:
        async def pool(name: str) -> asyncpg.Pool:
            made = await asyncpg.create_pool(dsns[name], min_size=1, max_size=size)
            assert made is not None
            return made

        return cls(await pool("institutions"), await pool("enrolment"), await pool("evaluation"))

    def of(self, db: str) -> asyncpg.Pool:
        pool: asyncpg.Pool = getattr(self, db)
        return pool

    async def close(self) -> None:
        for p in (self.institutions, self.enrolment, self.evaluation):
            await p.close()


# ---------------------------------------------------------------------------------------
# Recording


class TracedService(ServiceVariant):
    """The service variant with every request tagged `sqltrace.<worker>.<step>.<n>`, and
    each flow's context kept (its ids, for the selection's bindings)."""

    name = "service (traced)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contexts: dict[int, dict[str, Any]] = {}
        self.sent = 0  # tagged requests answered

    async def step(self, name: str, ctx: dict[str, Any], tally: list[int]) -> None:
        worker_id = ctx["worker"][0].id
        self.contexts[worker_id] = ctx
        before = tally[0]
        try:
            with _tagged(f"{TAG}.{worker_id}.{name}"):
                await super().step(name, ctx, tally)
        finally:
            self.sent += tally[0] - before


@contextmanager
def _tagged(tag: str) -> Any:
    token = request_tag.set(tag)
    try:
        yield
    finally:
        request_tag.reset(token)


@dataclass
class Templates:
    leader: replay.Template
    follower: replay.Template
    selection: replay.Template
    leader_worker: int
    follower_worker: int
    selection_bindings: tuple[int, int, int]  # recorded worker, request and offering ids

    def statements_per_selection(self) -> int:
        return self.selection.statement_count()


async def record(service: TracedService, trace_dir: Path) -> Templates:
    """Four flows through the traced services, one after another (leader, follower of
    cohort 0; leader, follower of cohort 1), made into the floor's templates."""
    cohorts = Cohorts()
    workers = []
    for i in (0, 1, cohorts.size, cohorts.size + 1):
        worker = await service.new_worker()
        workers.append(worker[0].id)
        await service.run_flow(i, cohorts, worker, Recorder(), time.perf_counter())
    flows = await read_all_flows(trace_dir, service.sent)
    a, b, c, d = (flows[w] for w in workers)
    leader = replay.build(a, c, known={workers[0]})
    follower = replay.build(b, d, known={workers[1], *leader.learned})
    ctx = service.contexts[workers[1]]
    bindings = (workers[1], int(ctx["request"]["id"]), int(ctx["offering"]["id"]))
    selection = replay.build({"select": b["select"]}, {"select": d["select"]}, known=bindings)
    return Templates(leader, follower, selection, workers[0], workers[1], bindings)


async def read_all_flows(
    trace_dir: Path, sent: int, timeout_s: float = 10.0
) -> dict[int, dict[str, list[sqltrace.RequestTrace]]]:
    """`read_flows` once every one of the `sent` requests is in the files: a service appends
    a request's record when the request ends, which can be just after its client has the
    answer (the last request of the last flow raced the reading once)."""
    deadline = time.perf_counter() + timeout_s
    while True:
        flows = read_flows(trace_dir)
        found = sum(len(calls) for steps in flows.values() for calls in steps.values())
        if found >= sent or time.perf_counter() > deadline:
            return flows
        await asyncio.sleep(0.05)


def read_flows(trace_dir: Path) -> dict[int, dict[str, list[sqltrace.RequestTrace]]]:
    """The tagged requests of the services, by worker and step, in the order they started."""
    flows: dict[int, dict[str, list[sqltrace.RequestTrace]]] = defaultdict(dict)
    requests = sorted(
        (
            r
            for r in sqltrace.read(trace_dir)
            if r.service in DATABASES and r.request_id.startswith(TAG + ".")
        ),
        key=lambda r: r.started_ns,
    )
    for r in requests:
        _, worker, step, _n = r.request_id.split(".", 3)
        flows[int(worker)].setdefault(step, []).append(r)
    for steps in flows.values():
        order = {s: i for i, s in enumerate(STEPS)}
        ordered = dict(sorted(steps.items(), key=lambda kv: order[kv[0]]))
        steps.clear()
        steps.update(ordered)
    return flows


# ---------------------------------------------------------------------------------------
# Replay


async def run_step(
    pools: FloorPools, txns: list[replay.TransactionPlan], flow: replay.Flow
) -> None:
    for txn in txns:
        await replay.run_transaction(pools.of(txn.db), txn, flow)


async def select(
    pools: FloorPools, templates: Templates, worker_id: int, offering_id: int, request_id: int
) -> int:
    """Order 3 as the services' SQL for this worker, request and offering; the statements."""
    rw, rr, ro = templates.selection_bindings
    flow = replay.Flow.new({rw: worker_id, rr: request_id, ro: offering_id})
    await run_step(pools, templates.selection.steps["select"], flow)
    return flow.statements


class FloorVariant(Variant):
    """Full flows as the services' SQL; the cohort logic is run_flow's, as for the others."""

    name = "floor"

    def __init__(self, pools: FloorPools, templates: Templates) -> None:
        super().__init__(None)  # type: ignore[arg-type]  # no HTTP
        self.pools = pools
        self.templates = templates
        self.workers: list[int] = []

    async def new_worker(self) -> Any:
        worker_id = next(_worker_ids)
        self.workers.append(worker_id)
        return worker_id

    async def run_flow(
        self, i: int, cohorts: Cohorts, worker: Any, rec: Recorder, scheduled: float
    ) -> None:
        _, leader = cohorts.of(i)
        t = self.templates
        recorded = t.leader_worker if leader else t.follower_worker
        state = {
            "id": worker,
            "template": t.leader if leader else t.follower,
            "flow": replay.Flow.new({recorded: worker}),
        }
        await super().run_flow(i, cohorts, state, rec, scheduled)

    async def step(self, name: str, ctx: dict[str, Any], tally: list[int]) -> None:
        state = ctx["worker"]
        flow: replay.Flow = state["flow"]
        leader_flow = ctx.get("offering")
        if isinstance(leader_flow, replay.Flow) and leader_flow is not flow:
            flow.follow(leader_flow)
        before = flow.statements
        await run_step(self.pools, state["template"].steps.get(name, []), flow)
        if name == "listing":
            ctx["offering"] = flow  # what the followers thread the cohort's values from
        tally[0] += 1
        tally[1] += flow.statements - before


async def verify(pools: FloorPools, worker_ids: list[int]) -> dict[str, int]:
    """That the replayed flows did the work: every worker's order paid, its claim paid with
    two ledger entries that balance, its certificate valid. Raises ReplayError if not."""
    n = len(worker_ids)
    async with pools.enrolment.acquire() as conn:
        paid = await conn.fetchval(
            "SELECT count(*) FROM orders WHERE worker_id = ANY($1::int[]) AND status = 'paid'",
            worker_ids,
        )
        claims = await conn.fetchval(
            "SELECT count(*) FROM claims WHERE worker_id = ANY($1::int[]) AND status = 'paid'",
            worker_ids,
        )
        entries, unbalanced = await conn.fetchrow(
            "SELECT count(*), count(*) FILTER (WHERE total <> 0) FROM (SELECT txn_id, "
            "sum(e.amount_fen) AS total FROM ledger_entries e JOIN claims c "
            "ON c.id = e.claim_id WHERE c.worker_id = ANY($1::int[]) GROUP BY txn_id) t",
            worker_ids,
        )
    async with pools.evaluation.acquire() as conn:
        certificates = await conn.fetchval(
            "SELECT count(*) FROM certificates WHERE worker_id = ANY($1::int[]) "
            "AND status = 'valid'",
            worker_ids,
        )
    found = {
        "orders_paid": paid,
        "claims_paid": claims,
        "ledger_transactions": entries,
        "unbalanced": unbalanced,
        "certificates": certificates,
    }
    expected = {k: (0 if k == "unbalanced" else n) for k in found}
    if found != expected:
        raise replay.ReplayError(f"the floor's flows did not all complete: {found} for {n}")
    return found
