"""The measured segments: closed loop (maximum throughput) and open loop (fixed arrivals)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.cpu import CpuMeter
from bench.floor import FloorPools, Templates, select
from bench.flow import COHORT, Cohorts, Recorder, ServiceVariant, Variant


@dataclass
class Segment:
    """What one measured run of one variant gave."""

    variant: str
    what: str  # "select" or "flow"
    count: int
    seconds: float
    rec: Recorder
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def per_s(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def cpu_us_per(self, n: int) -> dict[str, float]:
        return {k: v * 1e6 / n for k, v in self.cpu_s.items()} if n else {}


async def _bounded(n: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def run(i: int) -> None:
        async with gate:
            await one(i)

    await asyncio.gather(*(run(i) for i in range(n)))


async def list_offerings(service: ServiceVariant, count: int, capacity: int) -> list[Any]:
    """Offerings for a selection segment, listed through the services (not measured)."""
    worker = await service.new_worker()
    offerings = []
    for _ in range(count):
        ctx: dict[str, Any] = {"worker": worker, "capacity": capacity}
        await service.step("listing", ctx, [0, 0])
        offerings.append(ctx["offering"])
    return offerings


async def prepared(variant: Variant, n: int, concurrency: int) -> list[dict[str, Any]]:
    """n workers with a profile and a request (not measured)."""
    out: list[dict[str, Any]] = [{} for _ in range(n)]

    async def one(i: int) -> None:
        worker = await variant.new_worker()
        out[i] = await variant.prepare(worker)

    await _bounded(n, concurrency, one)
    return out


async def selection_segment(
    variant: Variant | FloorPools,
    service: ServiceVariant,
    meter: CpuMeter,
    n: int,
    concurrency: int,
    templates: Templates | None = None,
) -> Segment:
    """n selections (order 3) at `concurrency`, each a worker with a request, COHORT per
    offering; the floor's workers are prepared through the services, and it replays the
    recorded selection (`templates`, bench/floor.py)."""
    preparer = service if isinstance(variant, FloorPools) else variant
    ctxs = await prepared(preparer, n, concurrency)
    offerings = await list_offerings(service, -(-n // COHORT), COHORT)
    rec = Recorder()
    name = "floor" if isinstance(variant, FloorPools) else variant.name

    async def one(i: int) -> None:
        ctx = ctxs[i]
        ctx["offering"] = offerings[i // COHORT]
        started = time.perf_counter()
        if isinstance(variant, FloorPools):
            assert templates is not None, "the floor needs the recorded templates"
            worker_id = ctx["worker"][0].id
            statements = await select(
                variant, templates, worker_id, ctx["offering"]["id"], ctx["request"]["id"]
            )
            rec.step("select", time.perf_counter() - started, statements)
            rec.requests += 1
            return
        tally = [0, 0]
        await variant.step("select", ctx, tally)
        rec.step("select", time.perf_counter() - started, tally[1])
        rec.requests += tally[0]

    before = meter.snapshot()
    t0 = time.perf_counter()
    await _bounded(n, concurrency, one)
    seconds = time.perf_counter() - t0
    return Segment(name, "select", n, seconds, rec, CpuMeter.since(before, meter.snapshot()))


async def flow_segment(variant: Variant, meter: CpuMeter, n: int, concurrency: int) -> Segment:
    """n full flows, `concurrency` at a time (closed loop: the maximum it sustains)."""
    workers = [await variant.new_worker() for _ in range(n)]
    cohorts = Cohorts()
    rec = Recorder()

    async def one(i: int) -> None:
        await variant.run_flow(i, cohorts, workers[i], rec, time.perf_counter())

    before = meter.snapshot()
    t0 = time.perf_counter()
    await _bounded(n, concurrency, one)
    seconds = time.perf_counter() - t0
    return Segment(variant.name, "flow", n, seconds, rec, CpuMeter.since(before, meter.snapshot()))


async def open_loop(
    variant: Variant, meter: CpuMeter, rate: float, seconds: float, min_flows: int = 2
) -> Segment:
    """Flows arriving every 1/rate s whatever happens to earlier ones (open loop); each
    flow's latency counts from its scheduled arrival, so queueing is not hidden. At least
    `min_flows` arrive (longer than `seconds` at a low rate), so percentiles have samples."""
    n = max(min_flows, round(rate * seconds))
    workers = [await variant.new_worker() for _ in range(n)]
    cohorts = Cohorts()
    rec = Recorder()
    loop = asyncio.get_running_loop()
    tasks = []
    before = meter.snapshot()
    t0 = time.perf_counter()
    for i in range(n):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(loop.create_task(variant.run_flow(i, cohorts, workers[i], rec, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    return Segment(variant.name, "open", n, elapsed, rec, CpuMeter.since(before, meter.snapshot()))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank on the sorted values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
