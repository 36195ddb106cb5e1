"""Every step of the flow with its services failing (issue 9, item 4), on a stack of its own
whose gateway reaches each service through a TCP fault proxy (tests/faultproxy.py).

For each step, each service it calls is first unreachable from the start (the proxy refuses
it, which the gateway sees as it sees a stopped process; a few steps stop the process for
real), then the service that writes lets 1, 2, ... requests through and breaks on the next,
until the call runs through. Every failure is 503 problem+json with Retry-After and leaves
the four databases exactly as they were (the evaluation result, kept by design, is the one
exception, and the consistency check names it); the repeated call completes the step. At the
end, `scripts.consistency` finds nothing, and finds each inconsistency planted on purpose.
Then the proxy delays and cuts single requests: a write answered after the read timeout is
504 and lands once; a cut write is not re-sent; a cut read is retried once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from plumbing.settings import REPO_ROOT
from scripts.consistency import Reader, check
from tests.e2e.client import ELDERLY_CARE, attend, worker
from tests.e2e.consistency_plants import planted, plants
from tests.e2e.faulty_flow import STEP_NAMES, STEPS, Flow, Step
from tests.faultproxy import FaultProxy
from tests.stack import RunningStack, running_stack

pytestmark = pytest.mark.stack

SERVICES = ("institutions", "enrolment", "evaluation")
READ_TIMEOUT_S = 3.0  # ample for a loaded machine, short enough to wait out
# A few steps stop the service's process for real (the others have the proxy refuse it,
# which costs nothing): each service is stopped at least once.
REAL_STOPS = {"profile": "enrolment", "approve_class_plan": "institutions"}
REAL_STOPS |= {"schedule_evaluation": "evaluation"}


@dataclass
class Faulty:
    stack: RunningStack
    proxies: dict[str, FaultProxy]
    http: httpx.AsyncClient
    reader: Reader
    flow: Flow | None = None

    async def findings(self) -> set[str]:
        return {f.check for f in check(await self.reader.load())}

    async def new_flow(self) -> Flow:
        self.flow = await Flow.start(self.http)
        return self.flow

    async def flow_at(self, name: str) -> Flow:
        """The module's flow, advanced to just before step `name` (a new one if it is
        already past it, as when a test is run on its own or out of order)."""
        flow = self.flow
        if flow is None or name in flow.done:
            flow = await self.new_flow()
        await flow.advance_to(name)
        return flow

    async def finished_flow(self) -> Flow:
        flow = self.flow if self.flow is not None else await self.new_flow()
        await flow.advance_to("")
        return flow


@pytest.fixture(scope="module")
async def faulty(
    backend: str, pg_server: str | None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Faulty]:
    async with contextlib.AsyncExitStack() as stack:
        proxies = {name: await stack.enter_async_context(FaultProxy(0)) for name in SERVICES}
        extra = {
            "JINENG_PUBLIC_NOTICE_DAYS": "0",
            "JINENG_READ_TIMEOUT_S": str(READ_TIMEOUT_S),
            "JINENG_CONNECT_TIMEOUT_S": "1",
            "JINENG_RETRY_AFTER_S": "2",
            # The steps below fail a service several times in a row on purpose; the breaker
            # opens only after more than that, and briefly (its own test is below).
            "JINENG_BREAKER_FAILURES": "12",
            "JINENG_BREAKER_OPEN_S": "1",
        }
        routes = {name: p.url for name, p in proxies.items()}
        tmp = tmp_path_factory.mktemp(f"faulty-{backend}")
        running = await stack.enter_async_context(
            running_stack(backend, tmp, pg_server, extra_env=extra, routes=routes)
        )
        for name, proxy in proxies.items():
            proxy.upstream = ("127.0.0.1", urlsplit(running.urls[name]).port or 0)
        http = await stack.enter_async_context(
            httpx.AsyncClient(base_url=running.gateway, timeout=30)
        )
        reader = Reader(running.database_urls)
        stack.push_async_callback(reader.aclose)
        yield Faulty(running, proxies, http, reader)


def _dump(rows: list[Any]) -> list[str]:
    return sorted(repr(sorted(r.model_dump().items())) for r in rows)


async def _state(faulty: Faulty) -> dict[str, list[str]]:
    """Every row of every table the services hold about the flow (see scripts.consistency)."""
    snapshot = await faulty.reader.load()
    return {name: _dump(rows) for name, rows in vars(snapshot).items()}


def _assert_unavailable(response: httpx.Response, step: str) -> None:
    assert response.status_code == 503, (step, response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service_unavailable"
    assert int(response.headers["retry-after"]) >= 1


async def _assert_nothing_written(
    faulty: Faulty, step: Step, before: dict[str, list[str]], balance: Any
) -> None:
    after = await _state(faulty)
    changed = {table for table in before if before[table] != after[table]}
    if changed:
        # Only a step built to be finished by repeating may leave its first write, and the
        # consistency check must name exactly what is left to finish.
        allowed = set().union(*step.resumable.values()) if step.resumable else set()
        assert step.resumable, (step.name, "half-written", changed)
        assert await faulty.findings() == allowed, step.name
    if balance is not None:
        assert await _balance(faulty) == balance, step.name


async def _balance(faulty: Faulty) -> Any:
    flow = faulty.flow
    assert flow is not None
    return await flow.finance.ok("GET", "/funds/balance")


@pytest.mark.parametrize("name", STEP_NAMES)
async def test_each_step_fails_cleanly_and_completes_on_repeat(faulty: Faulty, name: str) -> None:
    flow = await faulty.flow_at(name)
    step = next(s for s in STEPS if s.name == name)
    money = name in ("approve", "deposit", "pay")
    before = await _state(faulty)
    balance = await _balance(faulty) if money else None

    if not step.needs:  # the gateway alone: every service down changes nothing
        for proxy in faulty.proxies.values():
            proxy.mode = "cut"
        try:
            response = await flow.run(step)
        finally:
            for proxy in faulty.proxies.values():
                proxy.mode = "pass"
        assert response.status_code == step.expect, response.text
        flow.done.append(name)
        return

    if name in REAL_STOPS:
        service = REAL_STOPS[name]
        assert await faulty.stack.stop_process(service) == 0
        try:
            _assert_unavailable(await flow.run(step), name)
        finally:
            await faulty.stack.start_process(service)
        await _assert_nothing_written(faulty, step, before, balance)

    for service in step.needs:  # each service unreachable from the start
        proxy = faulty.proxies[service]
        proxy.mode = "cut"
        try:
            response = await flow.run(step)
        finally:
            proxy.mode = "pass"
        _assert_unavailable(response, f"{name}: {service} down")
        await _assert_nothing_written(faulty, step, before, balance)

    # The writing service answers the first k requests of the step and breaks on the next,
    # for k = 1, 2, ... until the step runs through: that last call is the repeat.
    writer = faulty.proxies[step.needs[-1]]
    for k in range(1, 10):
        cuts = writer.cuts
        writer.plan, writer.mode = ["pass"] * k, "cut"
        try:
            response = await flow.run(step)
        finally:
            writer.plan, writer.mode = [], "pass"
        if writer.cuts == cuts:
            break
        _assert_unavailable(response, f"{name}: {step.needs[-1]} broke after {k}")
        await _assert_nothing_written(faulty, step, before, balance)
    assert response.status_code == step.expect, (name, response.text)
    flow.done.append(name)
    assert not await faulty.findings(), name


async def test_the_breaker_opens_on_a_failing_service_and_closes_after_a_probe(
    faulty: Faulty,
) -> None:
    flow = await faulty.finished_flow()
    proxy = faulty.proxies["evaluation"]
    proxy.mode = "cut"
    try:
        for _ in range(12):
            _assert_unavailable(await flow.evaluator.call("GET", "/evaluations/sessions"), "")
        seen = proxy.requests + proxy.connections
        paused = await flow.evaluator.call("GET", "/evaluations/sessions")
        _assert_unavailable(paused, "breaker")
        assert paused.json()["circuit"] == "open"
        assert proxy.requests + proxy.connections == seen  # refused without a call
    finally:
        proxy.mode = "pass"
    await asyncio.sleep(1.1)
    assert (await flow.evaluator.call("GET", "/evaluations/sessions")).status_code == 200


def _run_tool(faulty: Faulty) -> subprocess.CompletedProcess[str]:
    """The operations tool as an operator runs it, configured like the services."""
    env = {k: v for k, v in faulty.stack.env.items() if not k.endswith("DATABASE_URL")}
    env |= {f"{db.upper()}_DATABASE_URL": url for db, url in faulty.stack.database_urls.items()}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "scripts.consistency"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


async def test_the_consistency_check_finds_nothing_after_the_faults(faulty: Faulty) -> None:
    flow = await faulty.finished_flow()
    await _failed_order(flow)
    done = await asyncio.to_thread(_run_tool, faulty)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"consistent": true' in done.stdout
    assert await flow.finance.ok("GET", "/claims/" + str(flow.ids["claim"])) is not None


async def _failed_order(flow: Flow) -> None:
    """A second worker of the class who fails the evaluation (a failed result, order failed)."""
    if "failed_order" in flow.ids:
        return
    learner = await worker(flow.http)
    order = await learner.ok(
        "POST", "/orders", expect=201, json={"offering_id": flow.ids["offering"]}
    )
    await flow.clerk.ok("POST", f"/orders/{order['id']}/accept")
    await attend(flow.clerk, order["id"], 8)
    await flow.clerk.ok("POST", f"/orders/{order['id']}/complete")
    outcome = await flow.evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": False, "score": 30},
    )
    assert outcome["order_status"] == "failed"
    flow.ids["failed_order"] = order["id"]
    flow.ids["failed_result"] = outcome["result_id"]


async def _eventually(read: Callable[[], Awaitable[Any]], until: Callable[[Any], bool]) -> Any:
    for _ in range(100):
        value = await read()
        if until(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"never reached: {value}")


def _timed_out(response: httpx.Response) -> None:
    assert response.status_code == 504, response.text
    assert response.json()["code"] == "gateway_timeout"
    assert int(response.headers["retry-after"]) >= 1


async def test_writes_answered_after_the_timeout_are_504_and_land_once(faulty: Faulty) -> None:
    """Enrolment takes each write but answers after the gateway's read timeout: 504 with
    Retry-After; the write landed once, and repeating it does not do it again. A selection,
    an acceptance and a payment at once (so the test waits out the timeout once)."""
    flow = await faulty.finished_flow()
    enrolment = faulty.proxies["enrolment"]
    offering = flow.ids["offering"]
    chooser, accepted = await worker(flow.http), await worker(flow.http)
    order_id = (await accepted.ok("POST", "/orders", expect=201, json={"offering_id": offering}))[
        "id"
    ]
    claim_id = flow.ids["evaluation_claim"]
    await flow.reviewer.ok("POST", f"/claims/{claim_id}/review")
    await flow.officer.ok("POST", f"/claims/{claim_id}/approve")
    seats = (await chooser.ok("GET", f"/offerings/{offering}"))["seats_left"]
    before = await flow.finance.ok("GET", "/funds/balance")
    key = {"Idempotency-Key": f"slow-pay-{flow.key}"}

    def select() -> Awaitable[httpx.Response]:
        return chooser.call("POST", "/orders", json={"offering_id": offering})

    def accept() -> Awaitable[httpx.Response]:
        return flow.clerk.call("POST", f"/orders/{order_id}/accept")

    def pay() -> Awaitable[httpx.Response]:
        return flow.finance.call("POST", f"/claims/{claim_id}/pay", headers=key)

    enrolment.methods, enrolment.mode = (b"POST ",), "slow"
    enrolment.delay_s = READ_TIMEOUT_S + 0.5
    try:
        slow = await asyncio.gather(select(), accept(), pay())
    finally:
        enrolment.methods, enrolment.mode = None, "pass"
    for response in slow:
        _timed_out(response)

    mine = await _eventually(lambda: chooser.ok("GET", "/orders"), lambda p: p["total"] == 1)
    again = await select()
    assert (again.status_code, again.json()["code"]) == (409, "occupation_level_already_subsidised")
    assert (await chooser.ok("GET", "/orders"))["items"] == mine["items"]
    # one seat for the chooser, one for the order accepted meanwhile
    assert (await chooser.ok("GET", f"/offerings/{offering}"))["seats_left"] == seats - 1

    repeat = await accept()
    assert (repeat.status_code, repeat.json()["current_status"]) == (409, "accepted")
    timeline = await accepted.ok("GET", f"/orders/{order_id}/timeline")
    assert [e["to_status"] for e in timeline["items"]].count("accepted") == 1

    claim = await flow.finance.ok("GET", f"/claims/{claim_id}")
    assert claim["status"] == "paid"
    # The key was kept as uncertain: the repeat finds the claim paid by this officer, so it
    # was the first attempt that landed, and the answer is the paid claim (paid once).
    repeat = await pay()
    assert repeat.status_code == 200, repeat.text
    assert (repeat.json()["id"], repeat.json()["status"]) == (claim_id, "paid")
    assert (await pay()).headers["idempotent-replayed"] == "true"
    other = await flow.finance.call(
        "POST", f"/claims/{claim_id}/pay", headers={"Idempotency-Key": f"other-{flow.key}"}
    )
    assert (other.status_code, other.json()["code"]) == (409, "already_paid")
    after = await flow.finance.ok("GET", "/funds/balance")
    assert before["balance_fen"] - after["balance_fen"] == claim["amount_fen"]
    assert (await flow.finance.ok("GET", "/audit/verify"))["ok"] is True
    assert not await faulty.findings()


async def test_a_cut_write_is_not_resent_and_a_cut_read_is_retried_once(faulty: Faulty) -> None:
    flow = await faulty.finished_flow()
    enrolment = faulty.proxies["enrolment"]
    learner = await worker(flow.http)
    body = {"occupation_code": ELDERLY_CARE, "level": 4, "unit_code": "rencheng"}

    seen, enrolment.plan = enrolment.requests, ["cut"]
    write = await learner.call("POST", "/requests", json=body)
    _assert_unavailable(write, "cut write")
    assert enrolment.requests - seen == 1  # sent once, never again
    assert (await learner.ok("GET", "/requests"))["total"] == 0

    seen, enrolment.plan = enrolment.requests, ["cut"]
    read = await learner.call("GET", "/me/profile")
    assert read.status_code == 200, read.text  # the retry got through
    assert enrolment.requests - seen == 2

    await learner.ok("POST", "/requests", expect=201, json=body)
    assert (await learner.ok("GET", "/requests"))["total"] == 1


async def test_the_consistency_check_finds_each_planted_break(faulty: Faulty) -> None:
    flow = await faulty.finished_flow()
    await _failed_order(flow)
    institutions = await flow.officer.ok("GET", "/institutions", params={"limit": 200})
    flow.ids["other_institution"] = next(
        i["id"] for i in institutions["items"] if i["id"] != flow.ids["institution"]
    )
    flow.ids["clerk_id"] = (await flow.clerk.ok("GET", "/me"))["id"]
    flow.ids["evaluator_id"] = (await flow.evaluator.ok("GET", "/me"))["id"]
    flow.ids["worker_id"] = (await flow.worker.ok("GET", "/me"))["id"]
    assert not await faulty.findings()

    for i, plant in enumerate(plants()):
        async with planted(faulty.reader.engines[plant.database], flow, plant):
            found = await faulty.findings()
            if i == 0:  # the tool as an operator runs it: exit 1 and the finding in JSON
                done = await asyncio.to_thread(_run_tool, faulty)
                assert done.returncode == 1, done.stderr
                assert json.loads(done.stdout)["by_check"] == {"unknown_institution": 1}
        assert found == plant.codes, plant
    assert not await faulty.findings()
