"""A stateful property test of the five-order flow: hypothesis drives random sequences of the
steps — requests, listings, selections (also racing, several workers for one offering's seats
and one worker for several offerings), cancellations, acceptances and rejections (also an
acceptance racing a cancellation), class plans, attendance, completion, evaluation, delivery,
claims of the three kinds, review, approval, payment (twice, concurrently, with the same and
with different idempotency keys), deposits and withdrawals — by many workers, institutions
and officers, through the gateway of the live four-process stack.

Every answer must be the one the machine's own model (tests/e2e/flow_model.py) predicts:
success, or the problem code the rules give; never a 5xx. After every step the rules of
DESIGN.md are read back from enrolment's database (tests/invariants.py) and the model's
orders, claims, offerings, requests and fund balances are compared with the service's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from plumbing.clock import shanghai_today
from tests.e2e import flow_model as m
from tests.e2e.client import Api, institution_with_clerk, staff, worker
from tests.invariants import checker_engine, enrolment_violations
from tests.stack import RunningStack

pytestmark = pytest.mark.stack

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., object])
SOURCES = ("special_training", "employment_subsidy", "entrepreneurship")
# Bounded so the test adds well under a minute to `make test`, and fixed: each seed is one
# random run of the machine (after hypothesis's trivial first example), the same every time.
SEEDS = (1, 2, 3)
SETTINGS = settings(
    max_examples=2,
    stateful_step_count=60,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class Harness:
    """What every run of the machine shares: a private event loop (the test is synchronous,
    as hypothesis's state machines are), one HTTP client on the gateway, the officers'
    logins, and an engine on enrolment's database for the checks."""

    def __init__(self, stack: RunningStack) -> None:
        self.runner = asyncio.Runner()
        self.stack = stack
        self.http = httpx.AsyncClient(base_url=stack.gateway, timeout=60)
        self.engine: AsyncEngine = checker_engine(stack.database_urls["enrolment"])
        # Staff logins (argon2) and institutions are the slow part: made once, concurrently.
        names = ["city-officer", "rencheng-officer", "finance-officer", "finance-officer-2"]
        logins = self.run(_all(*(staff(self.http, n) for n in [*names, "evaluator"])))
        self.officer, self.reviewer, *self.finance, self.evaluator = logins
        pool = self.run(
            _all(*(institution_with_clerk(self.officer, list(m.TRADES)) for _ in range(2)))
        )
        self.institutions = [m.Institution(id=i, clerk=clerk) for i, clerk in pool]
        self.seen: Counter[str] = Counter()  # what the runs reached, to prove coverage

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def close(self) -> None:
        self.run(self.http.aclose())
        self.run(self.engine.dispose())
        self.runner.close()


async def _all(*calls: Awaitable[T]) -> list[T]:
    return list(await asyncio.gather(*calls))


Arg = st.SearchStrategy[Any] | Callable[[Any], st.SearchStrategy[Any]]
# name -> (weight, precondition, arguments): the steps the machine's one rule chooses from.
ACTIONS: dict[str, tuple[int, Callable[[Any], object], dict[str, Arg]]] = {}


def action(
    weight: int, when: Callable[[Any], object] = lambda machine: True, **arguments: Arg
) -> Callable[[F], F]:
    """Declare a step of the flow, as hypothesis's @rule and @precondition would, plus a
    weight: the steps that move the flow forward are chosen more often than the exits, or a
    run of a few dozen steps would rarely get as far as a payment. Arguments are strategies,
    or functions of the machine giving one (to draw from what it has made so far)."""

    def declare(function: F) -> F:
        ACTIONS[function.__name__] = (weight, when, arguments)
        return function

    return declare


def WORKER(machine: FlowMachine) -> st.SearchStrategy[m.Worker]:
    return st.sampled_from(machine.all_workers)


def OFFERING(machine: FlowMachine) -> st.SearchStrategy[m.Offering]:
    return st.sampled_from(machine.all_offerings)


class FlowMachine(RuleBasedStateMachine):
    harness: ClassVar[Harness]

    def __init__(self) -> None:
        super().__init__()
        self.h = type(self).harness
        self.orders: list[m.Order] = []
        self.claims: list[m.Claim] = []
        self.all_offerings: list[m.Offering] = []
        self.all_workers: list[m.Worker] = []
        self.changed = True  # False after a step that only read
        self.funds = self._db_funds()  # source -> [balance, held], kept by the model from here

    # -- plumbing ------------------------------------------------------------------------
    def call(self, api: Api, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.h.run(api.call(method, path, **kw))

    def expect(self, response: httpx.Response, expected: str | set[str] | None) -> str:
        """The answer is the predicted one (None: success)."""
        got = m.outcome(response)
        allowed = {expected or "ok"} if not isinstance(expected, set) else expected
        assert got in allowed, (
            f"{response.request.method} {response.request.url}: expected {allowed},"
            f" got {response.status_code} {response.text}"
        )
        self.h.seen[got] += 1
        return got

    def _db_funds(self) -> dict[str, list[int]]:
        async def read() -> dict[str, list[int]]:
            async with self.h.engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT source, balance_fen, held_fen FROM fund_balances")
                )
                return {s: [b, h] for s, b, h in rows}

        return self.h.run(read())

    def in_state(self, *statuses: str) -> list[m.Order]:
        return [o for o in self.orders if o.status in statuses]

    def room(self) -> bool:
        """New selections only while few orders are still before completion: a run of a few
        dozen steps then takes some of them all the way to payment."""
        return len(self.in_state("selected", "accepted", "in_training")) < 3

    def listed(self) -> list[m.Offering]:
        return [o for o in self.all_offerings if o.status == "listed"]

    def claims_in(self, *statuses: str) -> list[m.Claim]:
        return [c for c in self.claims if c.status in statuses]

    # -- nothing, and reading back ---------------------------------------------------------------
    # First of the steps, so it is what hypothesis's all-simplest first example repeats: free.
    @action(weight=1)
    def idle(self, data: st.DataObject) -> None:
        """Nobody does anything for a while."""
        self.changed = False

    @action(weight=1, worker=WORKER)
    def read_back(self, data: st.DataObject, worker: m.Worker) -> None:
        """A worker's own orders, as the app lists them, are exactly the model's."""
        page = self.h.run(worker.api.ok("GET", "/orders", params={"limit": 200}))
        listed = {o["id"]: o["status"] for o in page["items"]}
        assert listed == {o.id: o.status for o in worker.orders}, (listed, worker.orders)
        self.changed = False

    # -- people and institutions -----------------------------------------------------------
    def _new_worker(self) -> m.Worker:
        api = self.h.run(worker(self.h.http))
        me = self.h.run(api.ok("GET", "/me"))
        w = m.Worker(api=api, id=me["id"])
        self.all_workers.append(w)
        return w

    @initialize()
    def first_worker(self) -> None:
        self._new_worker()

    @action(
        weight=1,
        when=lambda self: len(self.all_workers) < 4,
    )
    def add_worker(self, data: st.DataObject) -> None:
        self._new_worker()

    @initialize(data=st.data())
    def approved_claim(self, data: st.DataObject) -> None:
        """One order taken through every step to an approved claim, so that each run also
        pays (the rest of the flow is left to chance)."""
        w = self._new_worker()
        offering = self._list(self.h.institutions[0], m.TRADES[0], 3, 8)
        r = self.call(w.api, "POST", "/orders", json={"offering_id": offering.id})
        self.expect(r, None)
        self._took(w, offering, r)
        self.accept(data=data)
        self.class_plan(data=data)
        self.attend(data=data)
        self.complete(data=data)
        self.evaluate(data=data, passed=True)
        self.delivery(data=data, verdict="confirmed")
        self.file_claim(data=data, kind="training")
        self.review(data=data)
        self.approve(data=data, reviewer_first=True)
        assert [c.status for c in self.claims] == ["approved"]

    # -- order 1 and order 2 ---------------------------------------------------------------
    @action(weight=1, worker=WORKER, trade=st.sampled_from(m.TRADES))
    def submit_request(self, data: st.DataObject, worker: m.Worker, trade: tuple[str, int]) -> None:
        body = {"occupation_code": trade[0], "level": trade[1], "unit_code": "rencheng"}
        r = self.call(worker.api, "POST", "/requests", json=body)
        self.expect(r, None)
        worker.requests.append(m.Request(id=r.json()["id"], worker=worker, trade=trade))

    @action(
        weight=1,
        when=lambda self: len(self.listed()) < 6,
        institution=st.integers(0, 1),
        trade=st.sampled_from(m.TRADES),
        capacity=st.integers(1, 3),
        hours=st.sampled_from([8, 16]),
    )
    def list_offering(
        self,
        data: st.DataObject,
        institution: int,
        trade: tuple[str, int],
        capacity: int,
        hours: int,
    ) -> m.Offering:
        return self._list(self.h.institutions[institution], trade, capacity, hours)

    @initialize(
        institution=st.integers(0, 1),
        trade=st.sampled_from(m.TRADES),
        capacity=st.integers(1, 3),
        hours=st.sampled_from([8, 16]),
    )
    def first_offering(
        self, institution: int, trade: tuple[str, int], capacity: int, hours: int
    ) -> None:
        self._list(self.h.institutions[institution], trade, capacity, hours)

    def _list(
        self, institution: m.Institution, trade: tuple[str, int], capacity: int, hours: int
    ) -> m.Offering:
        today = shanghai_today()
        body = {
            "institution_id": institution.id,
            "occupation_code": trade[0],
            "level": trade[1],
            "unit_code": "rencheng",
            "capacity": capacity,
            "hours": hours,
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=m.OFFERING_DAYS)).isoformat(),
        }
        r = self.call(self.h.officer, "POST", "/offerings", json=body)
        self.expect(r, None)
        got = r.json()
        assert (got["status"], got["seats_left"]) == ("listed", capacity)
        offering = m.Offering(
            id=got["id"],
            institution=institution,
            trade=trade,
            capacity=capacity,
            hours=hours,
            starts_on=today,
            subsidy_fen=got["subsidy_fen"],
            funding_source=got["funding_source"],
        )
        self.all_offerings.append(offering)
        return offering

    @action(weight=1, when=lambda self: len(self.listed()) >= 3)
    def withdraw_offering(self, data: st.DataObject) -> None:
        offering = data.draw(st.sampled_from(self.listed()))
        r = self.call(
            self.h.officer,
            "POST",
            f"/offerings/{offering.id}/withdraw",
            json={"reason": "培训机构场地调整"},
        )
        self.expect(r, None)
        offering.status = "withdrawn"
        cancelled = [o for o in offering.orders if o.status in ("selected", "accepted")]
        for order in cancelled:
            order.move("cancelled")
        assert r.json()["orders_cancelled"] == len(cancelled)

    # -- order 3: selection -----------------------------------------------------------------
    def _took(self, worker: m.Worker, offering: m.Offering, response: httpx.Response) -> None:
        order = m.Order(id=response.json()["id"], worker=worker, offering=offering)
        assert response.json()["status"] == "selected"
        self.orders.append(order)
        worker.orders.append(order)
        offering.orders.append(order)
        for request in worker.requests:
            if request.trade == offering.trade and request.live:
                request.order = order

    @action(weight=2, when=lambda self: self.room(), worker=WORKER, offering=OFFERING)
    def select(self, worker: m.Worker, offering: m.Offering, data: st.DataObject) -> None:
        body: dict[str, Any] = {"offering_id": offering.id}
        mine = [r for r in worker.requests if r.trade == offering.trade]
        request = data.draw(st.sampled_from([None, *mine]))
        expected: str | None
        if request is not None:
            body["request_id"] = request.id
            expected = None if request.live else "invalid_state"
        else:
            expected = None
        expected = expected or worker.refusal(offering.trade) or offering.seat_refusal()
        r = self.call(worker.api, "POST", "/orders", json=body)
        if self.expect(r, expected) == "ok":
            self._took(worker, offering, r)

    @action(
        weight=1,
        when=lambda self: self.room() and len(self.all_workers) >= 2,
        offering=OFFERING,
        racers=lambda self: st.lists(WORKER(self), min_size=2, max_size=4, unique=True),
    )
    def workers_race_for_seats(
        self, data: st.DataObject, offering: m.Offering, racers: list[m.Worker]
    ) -> None:
        """Several workers select one offering at once: the free seats go to as many of the
        eligible ones, never more."""
        refusals = {w: w.refusal(offering.trade) for w in racers}
        eligible = [w for w in racers if refusals[w] is None]
        free = offering.capacity - offering.seats_taken if offering.status == "listed" else 0
        body = {"offering_id": offering.id}
        responses = self.h.run(_all(*(w.api.call("POST", "/orders", json=body) for w in racers)))
        wins = 0
        for w, r in zip(racers, responses, strict=True):
            loser = "offering_full" if offering.status == "listed" else "invalid_state"
            refusal = refusals[w]
            allowed = {refusal} if refusal else {"ok", loser}
            if self.expect(r, allowed) == "ok":
                self._took(w, offering, r)
                wins += 1
        assert wins == min(len(eligible), free), (wins, len(eligible), free)

    @action(
        weight=1,
        when=lambda self: self.room() and len(self.all_offerings) >= 2,
        worker=WORKER,
        wanted=lambda self: st.lists(OFFERING(self), min_size=2, max_size=4, unique=True),
    )
    def worker_races_for_offerings(
        self, data: st.DataObject, worker: m.Worker, wanted: list[m.Offering]
    ) -> None:
        """One worker selects several offerings at once: at most up to the yearly cap, and at
        most one per occupation and level."""
        room = m.YEARLY_CAP - len(worker.live_orders())
        open_trades = {
            o.trade
            for o in wanted
            if o.seat_refusal() is None and worker.refusal(o.trade) in (None, "yearly_cap_reached")
        }
        responses = self.h.run(
            _all(*(worker.api.call("POST", "/orders", json={"offering_id": o.id}) for o in wanted))
        )
        won: list[m.Offering] = []
        codes = {
            "ok",
            "yearly_cap_reached",
            "occupation_level_already_subsidised",
            "not_eligible",
            "offering_full",
            "invalid_state",
        }
        for offering, r in zip(wanted, responses, strict=True):
            if self.expect(r, codes) == "ok":
                won.append(offering)
                self._took(worker, offering, r)
        assert len(won) == min(max(room, 0), len(open_trades)), (won, room, open_trades)
        assert len({o.trade for o in won}) == len(won)

    # -- order 4: acceptance and its exits -----------------------------------------------------
    def _draw(self, data: st.DataObject, *statuses: str) -> m.Order:
        return data.draw(st.sampled_from(self.in_state(*statuses)))

    @action(
        weight=1,
        when=lambda self: self.in_state("selected", "accepted", "in_training"),
        step=st.sampled_from(["cancel", "reject", "race", "drop"]),
    )
    def leave(self, data: st.DataObject, step: str) -> None:
        """An order ends early: the worker cancels or the institution rejects (before
        acceptance), the institution accepts while the worker cancels (exactly one wins), or
        a worker in training drops out."""
        order = self._draw(data, "selected", "accepted", "in_training")
        clerk, api = order.offering.institution.clerk, order.worker.api
        if order.status != "selected":
            r = self.call(clerk, "POST", f"/orders/{order.id}/drop", json={"reason": "学员退学"})
            self.expect(r, None)
            order.move("dropped")
        elif step == "race":
            accepted, cancelled = self.h.run(
                _all(
                    clerk.call("POST", f"/orders/{order.id}/accept"),
                    api.call("POST", f"/orders/{order.id}/cancel", json={}),
                )
            )
            a = self.expect(accepted, {"ok", "invalid_state"})
            c = self.expect(cancelled, {"ok", "invalid_state"})
            assert sorted([a, c]) == ["invalid_state", "ok"], (a, c)
            order.move("accepted" if a == "ok" else "cancelled")
        elif step == "reject":
            r = self.call(clerk, "POST", f"/orders/{order.id}/reject", json={"reason": "名额已满"})
            self.expect(r, None)
            order.move("rejected")
        else:
            r = self.call(api, "POST", f"/orders/{order.id}/cancel", json={})
            self.expect(r, None)
            order.move("cancelled")

    @action(weight=3, when=lambda self: self.in_state("selected"))
    def accept(self, data: st.DataObject) -> None:
        order = self._draw(data, "selected")
        r = self.call(order.offering.institution.clerk, "POST", f"/orders/{order.id}/accept")
        self.expect(r, None)
        order.move("accepted")

    # -- training ----------------------------------------------------------------------------
    def _plannable(self) -> list[m.Offering]:
        return [
            o
            for o in self.all_offerings
            if not o.plan_approved and any(x.status == "accepted" for x in o.orders)
        ]

    @action(weight=3, when=lambda self: self._plannable())
    def class_plan(self, data: st.DataObject) -> None:
        offering = data.draw(st.sampled_from(self._plannable()))
        days = -(-offering.hours // 8)
        sessions = [
            {"on": (offering.starts_on + dt.timedelta(days=i)).isoformat(), "hours": 8}
            for i in range(days)
        ]
        body = {
            "teaching_plan": "理论与实操结合",
            "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
            "sessions": sessions,
        }
        clerk = offering.institution.clerk
        self.expect(
            self.call(clerk, "POST", f"/offerings/{offering.id}/class-plan", json=body), None
        )
        approved = self.call(self.h.officer, "POST", f"/offerings/{offering.id}/class-plan/approve")
        self.expect(approved, None)
        offering.plan_approved = True

    def _attendable(self) -> list[m.Order]:
        return [
            o
            for o in self.in_state("accepted", "in_training")
            if o.offering.plan_approved
            and o.worker.day < m.OFFERING_DAYS
            and o.attended < o.offering.hours
        ]

    @action(weight=4, when=lambda self: self._attendable())
    def attend(self, data: st.DataObject) -> None:
        """A classroom day of 8 hours, on a day the worker learnt nothing else (more would
        raise a daily-hours flag)."""
        order = data.draw(st.sampled_from(self._attendable()))
        on = order.offering.starts_on + dt.timedelta(days=order.worker.day)
        body = {"on": on.isoformat(), "hours": 8, "channel": "classroom"}
        clerk = order.offering.institution.clerk
        self.expect(self.call(clerk, "POST", f"/orders/{order.id}/attendance", json=body), None)
        order.worker.day += 1
        order.attended += 8
        order.days += 1
        order.move("in_training")

    def _completable(self) -> list[m.Order]:
        return [o for o in self.in_state("in_training") if o.attended_enough]

    @action(weight=3, when=lambda self: self._completable())
    def complete(self, data: st.DataObject) -> None:
        """Completion once 80 % of the hours are attended (short of it: see out_of_turn)."""
        order = data.draw(st.sampled_from(self._completable()))
        clerk = order.offering.institution.clerk
        self.expect(self.call(clerk, "POST", f"/orders/{order.id}/complete"), None)
        order.move("completed")

    @action(
        weight=4,
        when=lambda self: self.in_state("completed"),
        passed=st.sampled_from([True, True, False]),
    )
    def evaluate(self, data: st.DataObject, passed: bool) -> None:
        order = self._draw(data, "completed")
        body = {"order_id": order.id, "passed": passed, "score": 80 if passed else 40}
        r = self.call(self.h.evaluator, "POST", "/evaluations/results", json=body)
        self.expect(r, None)
        assert r.json()["order_status"] == ("certified" if passed else "failed")
        order.move("certified" if passed else "failed")
        if passed:
            order.worker.certificates.add(order.offering.trade)

    def _deliverable(self) -> list[m.Order]:
        # orders still waiting for the worker's word (a second verdict: see delivery_refusal)
        return [o for o in self.in_state(*m.CONFIRMABLE) if o.delivery != "confirmed"]

    @action(
        weight=4,
        when=lambda self: self._deliverable(),
        verdict=st.sampled_from(["confirmed", "confirmed", "disputed"]),
    )
    def delivery(self, data: st.DataObject, verdict: str) -> None:
        """The worker confirms or disputes the delivery (a dispute can still be confirmed;
        a second verdict is refused)."""
        order = data.draw(st.sampled_from(self._deliverable()))
        path = f"/orders/{order.id}/" + ("confirm" if verdict == "confirmed" else "dispute")
        kw: dict[str, Any] = {} if verdict == "confirmed" else {"json": {"reason": "未实际参训"}}
        expected = m.delivery_refusal(order, verdict)
        if self.expect(self.call(order.worker.api, "POST", path, **kw), expected) == "ok":
            order.delivery = verdict

    @action(
        weight=1,
        when=lambda self: self.orders,
        step=st.sampled_from(["cancel", "accept", "reject", "complete"]),
    )
    def out_of_turn(self, data: st.DataObject, step: str) -> None:
        """A step on an order in any state: a transition from the wrong one is invalid_state."""
        order = data.draw(st.sampled_from(self.orders))
        caller = order.worker.api if step == "cancel" else order.offering.institution.clerk
        kw: dict[str, Any] = {"json": {"reason": "核对"}} if step == "reject" else {}
        r = self.call(caller, "POST", f"/orders/{order.id}/{step}", **kw)
        if step == "complete":
            if order.status == "in_training" and order.attended_enough:
                expected, after = None, "completed"
            elif order.status in ("accepted", "in_training"):
                expected, after = "insufficient_attendance", order.status
            else:
                expected, after = "invalid_state", order.status
        elif order.status == "selected":
            expected = None
            after = {"cancel": "cancelled", "accept": "accepted", "reject": "rejected"}[step]
        else:
            expected, after = "invalid_state", order.status
        self.expect(r, expected)
        order.move(after)

    # -- order 5: claims, review, approval, payment ---------------------------------------------
    def _filed(self, order: m.Order, kind: str, response: httpx.Response) -> m.Claim:
        got = response.json()
        claim = m.Claim(
            id=got["id"],
            order=order,
            kind=kind,
            amount_fen=got["amount_fen"],
            source=order.offering.funding_source,
        )
        assert (got["status"], got["kind"]) == ("submitted", kind)
        self.claims.append(claim)
        order.claims[kind] = claim
        return claim

    @action(
        weight=4,
        when=lambda self: self.in_state(*m.COMPLETED, "failed"),
        kind=st.sampled_from(["training", "training", "evaluation", "living_cost"]),
    )
    def file_claim(self, data: st.DataObject, kind: str) -> None:
        """A claim of one kind, mostly on an order it fits (else the refusal it earns)."""
        fits = {"training": ("certified",), "evaluation": m.CERTIFIED}.get(kind, m.COMPLETED)
        order = data.draw(
            st.sampled_from(self.in_state(*fits) or self.in_state(*m.COMPLETED, "failed"))
        )
        path = f"/orders/{order.id}/claims"
        expected: str | set[str] | None
        if kind == "living_cost":
            # the worker's own subsidy, once per order and once a year
            year_claims = [
                c for o in order.worker.orders for k, c in o.claims.items() if k == "living_cost"
            ]
            expected = m.living_cost_refusal(order, year_claims)
            r = self.call(order.worker.api, "POST", path, json={"kind": kind})
        else:
            expected = (
                m.training_claim_refusal(order)
                if kind == "training"
                else m.evaluation_claim_refusals(order) or None
            )
            clerk = order.offering.institution.clerk
            r = self.call(clerk, "POST", path, json={"kind": kind})
        if self.expect(r, expected) != "ok":
            return
        claim = self._filed(order, kind, r)
        if kind == "training":
            assert claim.amount_fen == order.offering.subsidy_fen
            order.move("claimed")
        elif kind == "living_cost":
            assert claim.amount_fen == order.days * m.LIVING_COST_DAILY_FEN

    @action(weight=5, when=lambda self: self.claims_in("submitted"))
    def review(self, data: st.DataObject) -> None:
        claim = data.draw(st.sampled_from(self.claims_in("submitted")))
        self.expect(self.call(self.h.reviewer, "POST", f"/claims/{claim.id}/review"), None)
        claim.status = "reviewed"

    @action(weight=5, when=lambda self: self.claims_in("reviewed"), reviewer_first=st.booleans())
    def approve(self, data: st.DataObject, reviewer_first: bool) -> None:
        """A different officer approves (the reviewer may not); the amount is held."""
        claim = data.draw(st.sampled_from(self.claims_in("reviewed")))
        if reviewer_first:
            same = self.call(self.h.reviewer, "POST", f"/claims/{claim.id}/approve")
            self.expect(same, "same_person")
        balance, held = self.funds[claim.source]
        short = balance - held < claim.amount_fen
        r = self.call(self.h.officer, "POST", f"/claims/{claim.id}/approve")
        if self.expect(r, "insufficient_funds" if short else None) == "ok":
            claim.status = "approved"
            self.funds[claim.source][1] += claim.amount_fen

    @action(weight=1, when=lambda self: self.claims_in(*m.BEFORE_PAYMENT))
    def reject_claim(self, data: st.DataObject) -> None:
        claim = data.draw(st.sampled_from(self.claims_in(*m.BEFORE_PAYMENT)))
        r = self.call(
            self.h.officer, "POST", f"/claims/{claim.id}/reject", json={"reason": "材料不全"}
        )
        self.expect(r, None)
        if claim.status == "approved":
            self.funds[claim.source][1] -= claim.amount_fen
        claim.status = "rejected"

    async def _pay(self, officer: int, claim: m.Claim, key: str) -> httpx.Response:
        headers = {"Idempotency-Key": key}
        return await self.h.finance[officer].call(
            "POST", f"/claims/{claim.id}/pay", headers=headers
        )

    def _paid(self, claim: m.Claim) -> None:
        self.h.seen["paid"] += 1
        claim.status = "paid"
        self.funds[claim.source][0] -= claim.amount_fen
        self.funds[claim.source][1] -= claim.amount_fen
        if claim.kind == "training":
            claim.order.move("paid")

    @action(
        weight=5,
        when=lambda self: self.claims_in("approved"),
        mode=st.sampled_from(["once", "distinct_keys", "same_key"]),
    )
    def pay(self, data: st.DataObject, mode: str) -> None:
        """Finance pays, once, or several payments of one claim race: with different keys
        exactly one pays and the others find it paid; with one key it runs once and the
        others wait or replay its answer."""
        claim = data.draw(st.sampled_from(self.claims_in("approved")))
        n = 1 if mode == "once" else data.draw(st.integers(2, 4))
        keys = [f"pay-{uuid.uuid4()}" for _ in range(n)]
        if mode == "same_key":
            keys = keys[:1] * n
        officers = [i % 2 if mode == "distinct_keys" else 0 for i in range(n)]
        responses = self.h.run(
            _all(*(self._pay(o, claim, k) for o, k in zip(officers, keys, strict=True)))
        )
        allowed = (
            {"ok", "already_paid"} if mode == "distinct_keys" else {"ok", "request_in_progress"}
        )
        got = [self.expect(r, allowed if n > 1 else None) for r in responses]
        assert got.count("ok") == 1 or mode == "same_key", got
        assert "ok" in got, got
        for o, k, outcome in zip(officers, keys, got, strict=True):
            if outcome != "request_in_progress":
                claim.keys[f"{o}:{k}"] = outcome
        if mode == "same_key":
            # the key settled: repeating it now replays the payment
            replay = self.h.run(self._pay(0, claim, keys[0]))
            self.expect(replay, None)
            assert replay.headers["idempotent-replayed"] == "true"
            claim.keys[f"0:{keys[0]}"] = "ok"
        self._paid(claim)

    @action(
        weight=2,
        when=lambda self: self.claims_in("paid"),
        mode=st.sampled_from(["new_key", "replay", "key_of_another_claim"]),
    )
    def pay_again(self, data: st.DataObject, mode: str) -> None:
        """A paid claim is never paid twice: a new key finds it paid, an old key replays the
        first answer, a key used for another claim is refused."""
        claim = data.draw(st.sampled_from(self.claims_in("paid")))
        others = [c for c in self.claims if c is not claim and c.keys]
        if mode == "replay":
            stored = data.draw(st.sampled_from(sorted(claim.keys)))
            officer, key = stored.split(":", 1)
            r = self.h.run(self._pay(int(officer), claim, key))
            self.expect(r, claim.keys[stored])
            assert r.headers.get("idempotent-replayed") == "true"
        elif mode == "key_of_another_claim" and others:
            other = data.draw(st.sampled_from(others))
            officer, key = data.draw(st.sampled_from(sorted(other.keys))).split(":", 1)
            self.expect(self.h.run(self._pay(int(officer), claim, key)), "idempotency_key_reused")
        else:
            officer_i = data.draw(st.integers(0, 1))
            r = self.h.run(self._pay(officer_i, claim, f"pay-{uuid.uuid4()}"))
            self.expect(r, "already_paid")

    @action(
        weight=1,
        source=st.sampled_from(SOURCES),
        amount=st.integers(1, 5_000_000),
        repeat=st.booleans(),
    )
    def deposit(self, data: st.DataObject, source: str, amount: int, repeat: bool) -> None:
        """Money into the special account; a repeated Idempotency-Key deposits once."""
        key = {"Idempotency-Key": f"dep-{uuid.uuid4()}"}
        body = {"source": source, "amount_fen": amount}
        finance = self.h.finance[0]
        first = self.call(finance, "POST", "/funds/deposits", json=body, headers=key)
        self.expect(first, None)
        if repeat:
            again = self.call(finance, "POST", "/funds/deposits", json=body, headers=key)
            assert again.json() == first.json()
        self.funds[source][0] += amount

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One step of the flow, chosen by weight among those whose precondition holds."""
        enabled = [
            name for name, (weight, when, _) in ACTIONS.items() if when(self) for _ in range(weight)
        ]
        name = data.draw(st.sampled_from(enabled), label="step")
        arguments = {
            key: data.draw(arg if isinstance(arg, st.SearchStrategy) else arg(self), label=key)
            for key, arg in ACTIONS[name][2].items()
        }
        self.changed = True
        getattr(self, name)(data=data, **arguments)

    # -- after every step ------------------------------------------------------------------------
    @invariant()
    def rules_hold(self) -> None:
        """DESIGN's rules on the whole database, and the model's picture on the service's."""
        if not self.changed:
            return
        found = self.h.run(enrolment_violations(self.h.engine))
        assert not found, "\n".join(found)
        self.h.run(self._compare_with_model())

    async def _compare_with_model(self) -> None:
        async with self.h.engine.connect() as conn:

            async def rows(sql: str, ids: list[int]) -> dict[int, tuple[Any, ...]]:
                if not ids:
                    return {}
                found = await conn.execute(text(sql.format(ids=",".join(map(str, ids)))))
                return {row[0]: tuple(row[1:]) for row in found}

            orders = await rows(
                "SELECT id, status, delivery, attended_hours FROM orders WHERE id IN ({ids})",
                [o.id for o in self.orders],
            )
            for o in self.orders:
                assert orders[o.id] == (o.status, o.delivery, o.attended), (o, orders[o.id])
            claims = await rows(
                "SELECT id, status, amount_fen FROM claims WHERE id IN ({ids})",
                [c.id for c in self.claims],
            )
            for c in self.claims:
                assert claims[c.id] == (c.status, c.amount_fen), (c, claims[c.id])
            offerings = await rows(
                "SELECT id, status, seats_taken FROM offerings WHERE id IN ({ids})",
                [o.id for o in self.all_offerings],
            )
            for f in self.all_offerings:
                assert offerings[f.id] == (f.status, f.seats_taken), (f, offerings[f.id])
            requests = [r for w in self.all_workers for r in w.requests]
            stored = await rows(
                "SELECT id, status, order_id FROM training_requests WHERE id IN ({ids})",
                [r.id for r in requests],
            )
            for r in requests:
                status, order_id = stored[r.id]
                if r.live:
                    assert status in ("open", "matched"), (r, status)
                else:
                    assert r.order is not None
                    assert (status, order_id) == ("fulfilled", r.order.id), (r, status)
            funds = await conn.execute(
                text("SELECT source, balance_fen, held_fen FROM fund_balances")
            )
            assert {s: [b, h] for s, b, h in funds} == self.funds

    def teardown(self) -> None:
        """The audit chain and the reconciliation agree with the ledger after the run."""
        verified = self.call(self.h.officer, "GET", "/audit/verify")
        assert verified.json()["ok"] is True, verified.text
        report = self.call(self.h.officer, "GET", "/funds/reconciliation")
        assert report.json() == {"consistent": True, "breaks": []}, report.text


def test_random_flows_keep_every_rule(backend: str, request: pytest.FixtureRequest) -> None:
    """Random interleavings of the five orders by many workers, institutions and officers:
    every answer as predicted, every rule holding after every step (PostgreSQL)."""
    if backend != "postgresql":
        pytest.skip("the stateful flow runs on PostgreSQL, the production database")
    stack: RunningStack = request.getfixturevalue("stack")
    harness = Harness(stack)
    FlowMachine.harness = harness
    try:
        for n in SEEDS:
            run_state_machine_as_test(seed(n)(FlowMachine), settings=SETTINGS)
    finally:
        harness.close()
    # The runs reached the far end of the flow and the refusals that guard it.
    for reached in ("offering_full", "occupation_level_already_subsidised", "paid", "already_paid"):
        assert harness.seen[reached] > 0, (reached, harness.seen)
