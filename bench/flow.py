"""One full five-order flow, as the gateway's clients run it and as the same calls made
directly on the services.

**One flow** is one new worker's subsidised training from the real-name profile to the
payment, every call the programme needs (README "The five orders with curl"):

  profile   PUT  /me/profile                         the worker (real name, ID number)
  request   POST /requests                           order 1, the worker
  listing   POST /offerings                          order 2, city officer   (1 per cohort)
  select    POST /orders                             order 3, the worker
  accept    POST /orders/{id}/accept                 order 4, the institution
  plan      POST /offerings/{id}/class-plan          the institution         (1 per cohort)
  plan_ok   POST /offerings/{id}/class-plan/approve  city officer            (1 per cohort)
  attend    POST /orders/{id}/attendance             the institution, 8 h (the offering's hours)
  complete  POST /orders/{id}/complete               the institution
  result    POST /evaluations/results                the evaluator, a pass (certificate)
  confirm   POST /orders/{id}/confirm                the worker confirms delivery
  claim     POST /orders/{id}/claims                 the institution
  review    POST /claims/{id}/review                 county officer (no public notice)
  approve   POST /claims/{id}/approve                city officer (another person)
  pay       POST /claims/{id}/pay                    order 5, finance, with an Idempotency-Key

Amortised: one offering (listing, class plan and its approval) per cohort of COHORT workers,
done by the cohort's first flow while the others wait for it; staff log in once per run; the
worker's WeChat login (a gateway-only call with no service counterpart) is made before the
measured segment. So a flow is 12 calls + 3/COHORT through the gateway.

The service variant makes, for each step, exactly the service calls the gateway route makes
(gateway/flow/*.py), with the internal credential and the acting principal in headers; the
gateway's own work (token check, idempotency record for pay, re-encoding) is what it lacks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
import uuid
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from plumbing.clock import shanghai_today
from plumbing.principal import (
    INTERNAL_TOKEN_HEADER,
    PRINCIPAL_HEADER,
    REQUEST_ID_HEADER,
    Principal,
)
from plumbing.settings import DEFAULT_INTERNAL_TOKEN
from plumbing.sqlstats import HEADER as SQL_HEADER

COHORT = 10
ELDERLY_CARE = "4-10-01-05"
LEVEL = 5
UNIT = "rencheng"
HOURS = 8
PASSWORD = "jineng-demo"
STEPS = (
    "profile",
    "request",
    "listing",
    "select",
    "accept",
    "plan",
    "plan_ok",
    "attend",
    "complete",
    "result",
    "confirm",
    "claim",
    "review",
    "approve",
    "pay",
)
# Worker ids of the service and floor variants (the gateway's come from its accounts).
_worker_ids = itertools.count(10_000_000)
_people = itertools.count(uuid.uuid4().int % 500_000)


# Set while recording the SQL trace (bench/floor.py): each request's id starts with it.
request_tag: ContextVar[str | None] = ContextVar("request_tag", default=None)


class FlowError(RuntimeError):
    """A call answered something else than the flow expects."""


def id_number(n: int) -> str:
    """A valid GB 11643 ID number, distinct for each n (birth date and serial from n)."""
    birth = dt.date(1985, 1, 1) + dt.timedelta(days=n // 1000)
    body = f"370811{birth:%Y%m%d}{n % 1000:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def new_profile() -> dict[str, Any]:
    n = next(_people)
    return {
        "id_number": id_number(n),
        "name": "王小明",
        "phone": f"139{n:08d}",
        "unit_code": UNIT,
        "group": "unemployed",
        "receives_pension": False,
    }


def offering_body(institution_id: int, capacity: int) -> dict[str, Any]:
    today = shanghai_today()
    return {
        "institution_id": institution_id,
        "occupation_code": ELDERLY_CARE,
        "level": LEVEL,
        "unit_code": UNIT,
        "capacity": capacity,
        "hours": HOURS,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
    }


PLAN_BODY = {
    "teaching_plan": "理论与实操结合，按国家职业技能标准授课",
    "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
}


def plan_body() -> dict[str, Any]:
    return PLAN_BODY | {"sessions": [{"on": shanghai_today().isoformat(), "hours": HOURS}]}


@dataclass
class Recorder:
    """Step latencies (seconds), SQL statements per step and request counts of one segment."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    flows: list[float] = field(default_factory=list)  # flow latency from scheduled arrival

    def step(self, name: str, seconds: float, statements: int) -> None:
        self.latencies[name].append(seconds)
        self.statements[name].append(statements)


class Http:
    """A thin aiohttp caller that counts requests and SQL statements (x-sql-statements).

    A 503 (the gateway could not reach a service) is counted in `unavailable` and the call is
    sent once more: the run goes on, and the report shows how often it happened."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.unavailable = 0

    async def call(
        self,
        method: str,
        url: str,
        expect: int,
        headers: dict[str, str],
        json: Any = None,
        params: dict[str, Any] | None = None,
        tally: list[int] | None = None,
    ) -> Any:
        tag = request_tag.get()
        if tag is not None:
            headers = {**headers, REQUEST_ID_HEADER: f"{tag}.{uuid.uuid4().hex[:8]}"}
        for attempt in range(2):
            async with self.session.request(
                method, url, json=json, params=params, headers=headers
            ) as response:
                body = await response.read()
                if tally is not None:
                    tally[0] += 1
                    tally[1] += int(response.headers.get(SQL_HEADER, "0"))
                if response.status == 503 and attempt == 0:
                    self.unavailable += 1
                    await asyncio.sleep(0.05)
                    continue
                if response.status != expect:
                    raise FlowError(f"{method} {url}: {response.status} {body[:400]!r}")
                return await response.json(content_type=None) if body else None
        raise AssertionError("unreachable")


@dataclass
class Cohort:
    """The workers sharing one offering; the first flow lists it and files its plan."""

    offering: asyncio.Future[dict[str, Any]]
    plan: asyncio.Future[None]

    @classmethod
    def new(cls) -> Cohort:
        loop = asyncio.get_running_loop()
        return cls(loop.create_future(), loop.create_future())


class Cohorts:
    """Flow i belongs to cohort i // COHORT; its leader is the cohort's first flow."""

    def __init__(self, size: int = COHORT) -> None:
        self.size = size
        self._cohorts: dict[int, Cohort] = {}

    def of(self, i: int) -> tuple[Cohort, bool]:
        key = i // self.size
        if key not in self._cohorts:
            self._cohorts[key] = Cohort.new()
        return self._cohorts[key], i % self.size == 0


class Variant:
    """The steps of a flow; subclasses make the calls of the gateway or of the services."""

    name = "variant"

    def __init__(self, http: Http) -> None:
        self.http = http

    async def new_worker(self) -> Any:
        raise NotImplementedError

    async def step(self, name: str, ctx: dict[str, Any], tally: list[int]) -> None:
        raise NotImplementedError

    async def prepare(self, worker: Any) -> dict[str, Any]:
        """Profile and request made outside the measured segment (for the selection step)."""
        ctx: dict[str, Any] = {"worker": worker}
        for name in ("profile", "request"):
            await self.step(name, ctx, [0, 0])
        return ctx

    async def run_flow(
        self, i: int, cohorts: Cohorts, worker: Any, rec: Recorder, scheduled: float
    ) -> None:
        """One flow; each step's latency is recorded (the first one from `scheduled`, so a
        late start counts: no coordinated omission)."""
        cohort, leader = cohorts.of(i)
        ctx: dict[str, Any] = {"worker": worker, "capacity": cohorts.size}
        started = scheduled
        for name in STEPS:
            if name in ("listing", "plan", "plan_ok") and not leader:
                if name == "listing":
                    ctx["offering"] = await asyncio.shield(cohort.offering)
                elif name == "plan_ok":
                    await asyncio.shield(cohort.plan)
                started = time.perf_counter()
                continue
            tally = [0, 0]
            try:
                await self.step(name, ctx, tally)
            except BaseException as exc:
                for fut in (cohort.offering, cohort.plan):
                    if leader and not fut.done():
                        fut.set_exception(exc if isinstance(exc, Exception) else FlowError())
                raise
            now = time.perf_counter()
            rec.step(name, now - started, tally[1])
            rec.requests += tally[0]
            started = now
            if leader and name == "listing":
                cohort.offering.set_result(ctx["offering"])
            if leader and name == "plan_ok":
                cohort.plan.set_result(None)
        rec.flows.append(time.perf_counter() - scheduled)


@dataclass
class Staff:
    officer: Any
    reviewer: Any
    finance: Any
    evaluator: Any
    clerk: Any
    institution_id: int


class GatewayVariant(Variant):
    """Every step as one public call, with the caller's bearer token."""

    name = "gateway"

    def __init__(self, http: Http, base: str, staff: Staff) -> None:
        super().__init__(http)
        self.api = base + "/api/v1"
        self.staff = staff

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def new_worker(self) -> Any:
        """A WeChat login (outside the measured flow): the worker's token."""
        code = f"demo:{uuid.uuid4().hex[:20]}"
        body = await self.http.call("POST", self.api + "/auth/wechat", 200, {}, {"code": code})
        return self.bearer(body["access_token"])

    async def step(self, name: str, ctx: dict[str, Any], tally: list[int]) -> None:
        s, api, w = self.staff, self.api, ctx["worker"]

        async def call(method: str, path: str, who: Any, expect: int = 200, **kw: Any) -> Any:
            return await self.http.call(method, api + path, expect, who, tally=tally, **kw)

        if name == "profile":
            await call("PUT", "/me/profile", w, json=new_profile())
        elif name == "request":
            body = {"occupation_code": ELDERLY_CARE, "level": LEVEL, "unit_code": UNIT}
            ctx["request"] = await call("POST", "/requests", w, 201, json=body)
        elif name == "listing":
            body = offering_body(s.institution_id, ctx["capacity"])
            ctx["offering"] = await call("POST", "/offerings", s.officer, 201, json=body)
        elif name == "select":
            body = {"offering_id": ctx["offering"]["id"], "request_id": ctx["request"]["id"]}
            ctx["order"] = await call("POST", "/orders", w, 201, json=body)
        elif name == "accept":
            await call("POST", f"/orders/{ctx['order']['id']}/accept", s.clerk)
        elif name == "plan":
            path = f"/offerings/{ctx['offering']['id']}/class-plan"
            await call("POST", path, s.clerk, json=plan_body())
        elif name == "plan_ok":
            await call("POST", f"/offerings/{ctx['offering']['id']}/class-plan/approve", s.officer)
        elif name == "attend":
            body = {"on": shanghai_today().isoformat(), "hours": HOURS, "channel": "classroom"}
            await call("POST", f"/orders/{ctx['order']['id']}/attendance", s.clerk, 201, json=body)
        elif name == "complete":
            await call("POST", f"/orders/{ctx['order']['id']}/complete", s.clerk)
        elif name == "result":
            body = {"order_id": ctx["order"]["id"], "passed": True, "score": 88}
            await call("POST", "/evaluations/results", s.evaluator, 201, json=body)
        elif name == "confirm":
            await call("POST", f"/orders/{ctx['order']['id']}/confirm", w)
        elif name == "claim":
            path = f"/orders/{ctx['order']['id']}/claims"
            ctx["claim"] = await call("POST", path, s.clerk, 201)
        elif name == "review":
            await call("POST", f"/claims/{ctx['claim']['id']}/review", s.reviewer)
        elif name == "approve":
            await call("POST", f"/claims/{ctx['claim']['id']}/approve", s.officer)
        elif name == "pay":
            key = {"Idempotency-Key": f"pay-{ctx['claim']['id']}-{uuid.uuid4().hex[:8]}"}
            await call("POST", f"/claims/{ctx['claim']['id']}/pay", s.finance | key)
        else:
            raise FlowError(f"no step {name}")


@dataclass
class Principals:
    """Who acts in the service variant, as the gateway would name them in X-Principal."""

    officer: Principal
    reviewer: Principal
    finance: Principal
    evaluator: Principal
    clerk: Principal
    institution_id: int

    @classmethod
    def for_institution(cls, institution_id: int) -> Principals:
        return cls(
            officer=Principal(id=900_001, role="government", username="bench-city"),
            reviewer=Principal(
                id=900_002, role="government", username="bench-county", unit_code=UNIT
            ),
            finance=Principal(id=900_003, role="finance", username="bench-finance"),
            evaluator=Principal(
                id=900_004, role="evaluator", username="bench-evaluator", evaluation_body_id=1
            ),
            clerk=Principal(
                id=900_005,
                role="institution",
                username="bench-clerk",
                institution_id=institution_id,
            ),
            institution_id=institution_id,
        )


def internal(principal: Principal | None) -> dict[str, str]:
    headers = {INTERNAL_TOKEN_HEADER: DEFAULT_INTERNAL_TOKEN}
    if principal is not None:
        headers[PRINCIPAL_HEADER] = principal.header_value()
    return headers


class ServiceVariant(Variant):
    """Each step as the service calls the gateway route makes for it, in the same order."""

    name = "service"

    def __init__(self, http: Http, urls: dict[str, str], who: Principals) -> None:
        super().__init__(http)
        self.ins = urls["institutions"] + "/v1"
        self.enr = urls["enrolment"] + "/v1"
        self.eva = urls["evaluation"] + "/v1"
        self.who = who
        self.h = {
            name: internal(getattr(who, name))
            for name in ("officer", "reviewer", "finance", "evaluator", "clerk")
        }
        self.public = internal(None)

    async def new_worker(self) -> Any:
        principal = Principal(id=next(_worker_ids), role="worker")
        return principal, internal(principal)

    async def step(self, name: str, ctx: dict[str, Any], tally: list[int]) -> None:
        h = self.h
        principal, w = ctx["worker"]

        async def call(method: str, url: str, who: Any, expect: int = 200, **kw: Any) -> Any:
            return await self.http.call(method, url, expect, who, tally=tally, **kw)

        if name == "profile":  # gateway/flow/workers.py put_profile
            await call("PUT", self.enr + "/workers/me/profile", w, json=new_profile())
        elif name == "request":  # workers.py create_request
            body = {"occupation_code": ELDERLY_CARE, "level": LEVEL, "unit_code": UNIT}
            ctx["request"] = await call("POST", self.enr + "/requests", w, 201, json=body)
        elif name == "listing":  # offerings.py list_offering
            body = offering_body(self.who.institution_id, ctx["capacity"])
            inst = await call(
                "GET", f"{self.ins}/institutions/{body['institution_id']}", h["officer"]
            )
            params = {
                "occupation_code": ELDERLY_CARE,
                "level": LEVEL,
                "as_of": shanghai_today().isoformat(),
            }
            item = await call("GET", self.ins + "/catalogue/lookup", h["officer"], params=params)
            payload = body | {
                "funding_source": "special_training",
                "programme": None,
                "training_type": item["training_types"][0],
                "institution_name": inst["name"],
                "occupation_name": item["occupation_name"],
                "subsidy_fen": item["subsidy_fen"],
                "catalogue_item_id": item["id"],
            }
            ctx["offering"] = await call(
                "POST", self.enr + "/offerings", h["officer"], 201, json=payload
            )
        elif name == "select":  # orders.py select_offering
            offering = await call("GET", f"{self.enr}/offerings/{ctx['offering']['id']}", w)
            await call("GET", f"{self.ins}/institutions/{offering['institution_id']}/status", w)
            params = {"worker_id": principal.id, "status": "valid", "limit": 200}
            page = await call("GET", self.eva + "/certificates", w, params=params)
            body = {
                "offering_id": ctx["offering"]["id"],
                "request_id": ctx["request"]["id"],
                "held_certificates": [
                    {"occupation_code": c["occupation_code"], "level": c["level"]}
                    for c in page["items"]
                ],
            }
            ctx["order"] = await call("POST", self.enr + "/orders", w, 201, json=body)
        elif name == "accept":  # orders.py accept_order
            oid = ctx["order"]["id"]
            # The clerk's own institution is the order's (staff see only theirs).
            institution_id = self.who.institution_id
            await call("GET", f"{self.ins}/institutions/{institution_id}/status", h["clerk"])
            await call("POST", f"{self.enr}/orders/{oid}/accept", h["clerk"])
        elif name == "plan":  # supervision.py file_class_plan
            off_id = ctx["offering"]["id"]
            offering = await call("GET", f"{self.enr}/offerings/{off_id}", h["clerk"])
            params = {"offering_id": off_id, "status": "accepted", "limit": 200, "offset": 0}
            page = await call("GET", self.enr + "/orders", h["clerk"], params=params)
            roster = [
                {
                    "order_id": o["id"],
                    "worker_id": o["worker_id"],
                    "worker_name_masked": o.get("worker_name_masked", ""),
                }
                for o in page["items"]
            ]
            payload = plan_body() | {
                "institution_id": offering["institution_id"],
                "unit_code": offering["unit_code"],
                "offering_starts_on": offering["starts_on"],
                "offering_ends_on": offering["ends_on"],
                "offering_hours": offering["hours"],
                "roster": roster,
            }
            await call("PUT", f"{self.ins}/class-plans/{off_id}", h["clerk"], json=payload)
        elif name == "plan_ok":  # supervision.py approve_class_plan
            off_id = ctx["offering"]["id"]
            await call("POST", f"{self.ins}/class-plans/{off_id}/approve", h["officer"], json={})
        elif name == "attend":  # orders.py record_attendance
            oid = ctx["order"]["id"]
            order = await call("GET", f"{self.enr}/orders/{oid}", h["clerk"])
            await call("GET", f"{self.ins}/class-plans/{order['offering_id']}/status", h["clerk"])
            body = {"on": shanghai_today().isoformat(), "hours": HOURS, "channel": "classroom"}
            await call("POST", f"{self.enr}/orders/{oid}/attendance", h["clerk"], 201, json=body)
        elif name == "complete":  # orders.py complete_order
            await call("POST", f"{self.enr}/orders/{ctx['order']['id']}/complete", h["clerk"])
        elif name == "result":  # evaluation.py record_result
            oid = ctx["order"]["id"]
            order = await call("GET", f"{self.enr}/orders/{oid}", h["evaluator"])
            body = {
                "order_id": oid,
                "worker_id": order["worker_id"],
                "occupation_code": order["occupation_code"],
                "level": order["level"],
                "holder_name_masked": order["worker_name_masked"],
                "passed": True,
                "score": 88,
            }
            result = await call("POST", self.eva + "/results", h["evaluator"], 201, json=body)
            outcome = {
                "passed": result["passed"],
                "certificate_number": result["certificate_number"],
                "result_id": result["id"],
            }
            await call("POST", f"{self.enr}/orders/{oid}/evaluation", h["evaluator"], json=outcome)
        elif name == "confirm":  # training.py confirm_delivery
            await call("POST", f"{self.enr}/orders/{ctx['order']['id']}/confirm", w)
        elif name == "claim":  # payments.py submit_claim
            oid = ctx["order"]["id"]
            order = await call("GET", f"{self.enr}/orders/{oid}", h["clerk"])
            await call("GET", f"{self.eva}/certificates/{order['certificate_number']}", self.public)
            ctx["claim"] = await call(
                "POST",
                f"{self.enr}/orders/{oid}/claims",
                h["clerk"],
                201,
                json={"kind": "training"},
            )
        elif name == "review":  # claim_review.py review_claim
            path = f"{self.enr}/claims/{ctx['claim']['id']}/review"
            await call("POST", path, h["reviewer"], json={"reason": None})
        elif name == "approve":  # payments.py approve_claim
            await call(
                "POST", f"{self.enr}/claims/{ctx['claim']['id']}/approve", h["officer"], json={}
            )
        elif name == "pay":  # payments.py pay_claim (the idempotency record is the gateway's)
            await call("POST", f"{self.enr}/claims/{ctx['claim']['id']}/pay", h["finance"], json={})
        else:
            raise FlowError(f"no step {name}")


async def login(http: Http, api: str, username: str, password: str = PASSWORD) -> dict[str, str]:
    body = await http.call(
        "POST", api + "/auth/token", 200, {}, {"username": username, "password": password}
    )
    return GatewayVariant.bearer(body["access_token"])


async def setup_staff(http: Http, gateway: str) -> Staff:
    """Staff logins, an institution with a clerk, and money in the special account."""
    api = gateway + "/api/v1"
    officer = await login(http, api, "city-officer")
    reviewer = await login(http, api, "rencheng-officer")
    finance = await login(http, api, "finance-officer")
    evaluator = await login(http, api, "evaluator")
    inst = await http.call(
        "POST",
        api + "/institutions",
        201,
        officer,
        {
            "name": f"济宁基准测试培训学校{uuid.uuid4().hex[:6]}",
            "credit_code": _credit_code(),
            "kind": "private",
            "unit_code": UNIT,
            "approvals": [{"occupation_code": ELDERLY_CARE, "level": LEVEL}],
        },
    )
    username = f"bench-clerk-{uuid.uuid4().hex[:6]}"
    await http.call(
        "POST",
        f"{api}/institutions/{inst['id']}/staff",
        201,
        officer,
        {"username": username, "password": "clerk-password-123"},
    )
    clerk = await login(http, api, username, "clerk-password-123")
    await http.call(
        "POST",
        api + "/funds/deposits",
        201,
        finance,
        {"source": "special_training", "amount_fen": 10**13},
    )
    return Staff(officer, reviewer, finance, evaluator, clerk, inst["id"])


def _credit_code() -> str:
    from plumbing.ids import credit_code_check_char

    first = f"52370800MJ{uuid.uuid4().int % 10_000_000:07d}"
    return first + credit_code_check_char(first)
