"""The whole flow through the gateway as a list of steps, each one call that can be repeated
as it is (same body, same Idempotency-Key), for tests that break a service at every step.

A step names the services it calls, in the order the gateway first calls them; the last one
is where the step writes (or finishes writing). `Flow.run(step)` makes the step's call;
`Flow.advance_to(name)` runs the steps before it without faults.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from plumbing.clock import shanghai_today
from tests.e2e.client import (
    ELDERLY_CARE,
    Api,
    credit_code,
    id_number,
    staff,
)


@dataclass
class Step:
    name: str
    needs: tuple[str, ...]  # services called, the writing one last; () = the gateway alone
    call: Callable[[Flow], Awaitable[httpx.Response]]
    expect: int = 200
    # Services whose writes a failure after them may leave, to be finished by repeating
    # (the evaluation result is kept while enrolment is down): the consistency check then
    # names exactly these findings.
    resumable: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Flow:
    """One worker's order from login to a paid claim, with everything it created."""

    http: httpx.AsyncClient
    officer: Api
    reviewer: Api
    finance: Api
    evaluator: Api
    ids: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    key: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @classmethod
    async def start(cls, http: httpx.AsyncClient) -> Flow:
        flow = cls(
            http,
            await staff(http, "city-officer"),
            await staff(http, "rencheng-officer"),
            await staff(http, "finance-officer"),
            await staff(http, "evaluator"),
        )
        inst = await flow.officer.ok(
            "POST",
            "/institutions",
            expect=201,
            json={
                "name": f"济宁故障演练培训学校{flow.key}",
                "credit_code": credit_code(),
                "kind": "private",
                "unit_code": "rencheng",
                "approvals": [{"occupation_code": ELDERLY_CARE, "level": 5}],
            },
        )
        username = f"clerk-{flow.key}"
        await flow.officer.ok(
            "POST",
            f"/institutions/{inst['id']}/staff",
            expect=201,
            json={"username": username, "password": "clerk-password-123"},
        )
        flow.ids["institution"] = inst["id"]
        flow.ids["clerk"] = await staff(http, username, "clerk-password-123")
        flow.ids["id_number"] = id_number()
        return flow

    @property
    def clerk(self) -> Api:
        clerk: Api = self.ids["clerk"]
        return clerk

    @property
    def worker(self) -> Api:
        worker: Api = self.ids["worker"]
        return worker

    def idem(self, step: str) -> dict[str, str]:
        return {"Idempotency-Key": f"{step}-{self.key}"}

    async def run(self, step: Step) -> httpx.Response:
        return await step.call(self)

    async def advance_to(self, name: str) -> None:
        """Run, without faults, every step before `name` not yet done."""
        for step in STEPS:
            if step.name == name:
                return
            if step.name not in self.done:
                response = await self.run(step)
                assert response.status_code == step.expect, (step.name, response.text)
                self.done.append(step.name)


async def _login(f: Flow) -> httpx.Response:
    r = await f.http.post("/api/v1/auth/wechat", json={"code": f"demo:fault-{f.key}"})
    if r.status_code == 200:
        f.ids["worker"] = Api(f.http, r.json()["access_token"])
    return r


async def _profile(f: Flow) -> httpx.Response:
    body = {
        "id_number": f.ids["id_number"],
        "name": "王小明",
        "phone": "13912345678",
        "unit_code": "rencheng",
        "group": "unemployed",
        "receives_pension": False,
    }
    return await f.worker.call("PUT", "/me/profile", json=body)


async def _request(f: Flow) -> httpx.Response:
    body = {"occupation_code": ELDERLY_CARE, "level": 5, "unit_code": "rencheng"}
    r = await f.worker.call("POST", "/requests", json=body)
    if r.status_code == 201:
        f.ids["request"] = r.json()["id"]
    return r


async def _list_offering(f: Flow) -> httpx.Response:
    today = shanghai_today()
    body = {
        "institution_id": f.ids["institution"],
        "occupation_code": ELDERLY_CARE,
        "level": 5,
        "unit_code": "rencheng",
        "capacity": 30,
        "hours": 8,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    r = await f.officer.call("POST", "/offerings", json=body)
    if r.status_code == 201:
        f.ids["offering"] = r.json()["id"]
    return r


async def _select(f: Flow) -> httpx.Response:
    body = {"offering_id": f.ids["offering"], "request_id": f.ids["request"]}
    r = await f.worker.call("POST", "/orders", json=body)
    if r.status_code == 201:
        f.ids["order"] = r.json()["id"]
    return r


async def _accept(f: Flow) -> httpx.Response:
    return await f.clerk.call("POST", f"/orders/{f.ids['order']}/accept")


async def _file_plan(f: Flow) -> httpx.Response:
    body = {
        "teaching_plan": "理论与实操结合，按国家职业技能标准授课",
        "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
        "sessions": [{"on": shanghai_today().isoformat(), "hours": 8}],
    }
    return await f.clerk.call("POST", f"/offerings/{f.ids['offering']}/class-plan", json=body)


async def _approve_plan(f: Flow) -> httpx.Response:
    return await f.officer.call("POST", f"/offerings/{f.ids['offering']}/class-plan/approve")


async def _attend(f: Flow) -> httpx.Response:
    body = {"on": shanghai_today().isoformat(), "hours": 8, "channel": "classroom"}
    return await f.clerk.call("POST", f"/orders/{f.ids['order']}/attendance", json=body)


async def _complete(f: Flow) -> httpx.Response:
    return await f.clerk.call("POST", f"/orders/{f.ids['order']}/complete")


async def _schedule(f: Flow) -> httpx.Response:
    body = {
        "occupation_code": ELDERLY_CARE,
        "level": 5,
        "held_on": shanghai_today().isoformat(),
        "place": f"济宁市任城区技能鉴定考场{f.key}",
        "capacity": 5,
    }
    r = await f.evaluator.call("POST", "/evaluations/sessions", json=body)
    if r.status_code == 201:
        f.ids["session"] = r.json()["id"]
    return r


async def _register(f: Flow) -> httpx.Response:
    path = f"/evaluations/sessions/{f.ids['session']}/candidates"
    return await f.evaluator.call("POST", path, json={"order_id": f.ids["order"]})


async def _result(f: Flow) -> httpx.Response:
    body = {"order_id": f.ids["order"], "passed": True, "score": 88}
    return await f.evaluator.call("POST", "/evaluations/results", json=body)


async def _confirm(f: Flow) -> httpx.Response:
    return await f.worker.call("POST", f"/orders/{f.ids['order']}/confirm")


async def _claim(f: Flow) -> httpx.Response:
    r = await f.clerk.call("POST", f"/orders/{f.ids['order']}/claims")
    if r.status_code == 201:
        f.ids["claim"] = r.json()["id"]
    return r


async def _claim_evaluation(f: Flow) -> httpx.Response:
    path = f"/orders/{f.ids['order']}/claims"
    r = await f.clerk.call("POST", path, json={"kind": "evaluation"})
    if r.status_code == 201:
        f.ids["evaluation_claim"] = r.json()["id"]
    return r


async def _review(f: Flow) -> httpx.Response:
    return await f.reviewer.call("POST", f"/claims/{f.ids['claim']}/review")


async def _approve(f: Flow) -> httpx.Response:
    path = f"/claims/{f.ids['claim']}/approve"
    return await f.officer.call("POST", path, headers=f.idem("approve"))


async def _deposit(f: Flow) -> httpx.Response:
    body = {"source": "special_training", "amount_fen": 5_000_000, "reference": f.key}
    return await f.finance.call("POST", "/funds/deposits", json=body, headers=f.idem("deposit"))


async def _pay(f: Flow) -> httpx.Response:
    path = f"/claims/{f.ids['claim']}/pay"
    return await f.finance.call("POST", path, headers=f.idem("pay"))


ENR, INS, EVA = "enrolment", "institutions", "evaluation"
STEPS: tuple[Step, ...] = (
    Step("worker_login", (), _login),
    Step("profile", (ENR,), _profile),
    Step("request", (ENR,), _request, 201),
    Step("list_offering", (INS, ENR), _list_offering, 201),
    Step("select", (INS, EVA, ENR), _select, 201),
    Step("accept", (INS, ENR), _accept),
    Step("file_class_plan", (ENR, INS), _file_plan),
    Step("approve_class_plan", (INS,), _approve_plan),
    Step("attendance", (INS, ENR), _attend, 201),
    Step("complete", (ENR,), _complete),
    Step("schedule_evaluation", (EVA,), _schedule, 201),
    Step("register_for_evaluation", (ENR, EVA), _register, 201),
    Step("evaluation_result", (EVA, ENR), _result, 201, {EVA: {"evaluation_not_applied"}}),
    Step("confirm_delivery", (ENR,), _confirm),
    Step("claim", (EVA, ENR), _claim, 201),
    Step("claim_evaluation_subsidy", (EVA, ENR), _claim_evaluation, 201),
    Step("review", (ENR,), _review),
    Step("approve", (ENR,), _approve),
    Step("deposit", (ENR,), _deposit, 201),
    Step("pay", (ENR,), _pay),
)
STEP_NAMES = [s.name for s in STEPS]
