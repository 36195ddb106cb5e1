"""A small two-sided world on the live stack for the object-level authorisation tests
(tests/e2e/test_object_access.py): everything the gateway's routes take by id, once owned by
the "A side" and once by the "B side".

Side A is unit rencheng: worker A, institution X with its clerk, the rencheng county officer,
the demo evaluator (body 1), finance-officer. Side B is unit qufu: worker B, institution Y
with its clerk, a qufu county officer, an evaluator of a second body, finance-officer-2. The
city officer and an administrator belong to neither side. There is no route that creates
government or administrator accounts, so the qufu officer and the administrator get access
tokens minted with the stack's signing key; the services know callers only by those tokens.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.accounts.security import issue_access_token
from gateway.config import Settings
from plumbing.clock import SHANGHAI, shanghai_today
from plumbing.principal import Principal
from tests.e2e.client import (
    ELDERLY_CARE,
    Api,
    approved_class_plan,
    confirm_delivery,
    credit_code,
    id_number,
    institution_with_clerk,
    list_offering,
    staff,
    train,
    worker,
)

SIDES = ("A", "B")
UNITS = {"A": "rencheng", "B": "qufu"}


@dataclass
class Caller:
    kind: str  # as in tests/gateway/access.py CALLERS
    side: str | None  # None: the city officer and the administrator belong to no side
    api: Api


@dataclass
class World:
    callers: dict[str, Caller] = field(default_factory=dict)
    # objects[kind][side] = the value that goes in the path (an id, a number, a unit code)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, kind: str, side: str, value: Any) -> None:
        self.objects.setdefault(kind, {})[side] = value

    def api(self, name: str) -> Api:
        return self.callers[name].api


def minted(http: httpx.AsyncClient, principal: Principal) -> Api:
    """A caller for an account kind no route creates (the stack runs with the default key)."""
    return Api(http, issue_access_token(Settings(), principal))


async def _body_with_evaluator(officer: Api, name: str) -> tuple[int, Api]:
    body = await officer.ok(
        "POST",
        "/evaluations/bodies",
        expect=201,
        json={
            "name": f"{name}{uuid.uuid4().hex[:6]}",
            "kind": "third_party",
            "accredited_on": "2019-06-01",
            "scope": [{"occupation_code": ELDERLY_CARE, "level": 5}],
        },
    )
    username = f"evaluator-{uuid.uuid4().hex[:8]}"
    await officer.ok(
        "POST",
        f"/evaluations/bodies/{body['id']}/evaluators",
        expect=201,
        json={"username": username, "password": "evaluator-password-1"},
    )
    return body["id"], await staff(officer.http, username, "evaluator-password-1")


async def _learning_flag(learner: Api, order_id: int, day: dt.date) -> None:
    """Two ends learning at once: an `overlapping_ends` flag on the order."""
    evening = dt.datetime.combine(day, dt.time(19, 0)).replace(tzinfo=SHANGHAI)
    for channel, start in (("app", evening), ("wechat", evening + dt.timedelta(minutes=30))):
        await learner.ok(
            "POST",
            f"/orders/{order_id}/learning-sessions",
            expect=201,
            json={
                "channel": channel,
                "started_at": start.isoformat(),
                "ended_at": (start + dt.timedelta(hours=1)).isoformat(),
                "device_id": f"{channel}-{uuid.uuid4().hex[:6]}",
            },
        )


async def _side(world: World, side: str, city: Api) -> None:
    """One side's objects, walked through the five-order flow up to a claim on public
    notice with an objection against it."""
    unit = UNITS[side]
    county = world.api(f"county_officer:{side}")
    evaluator = world.api(f"evaluator:{side}")
    finance = world.api(f"finance:{side}")
    institution_id, clerk = await institution_with_clerk(county, [(ELDERLY_CARE, 5)], unit)
    world.callers[f"institution:{side}"] = Caller("institution", side, clerk)
    world.add("institution", side, institution_id)
    learner = await worker(city.http, unit_code=unit)
    world.callers[f"worker:{side}"] = Caller("worker", side, learner)

    # Objects the destructive routes (suspend, revoke, withdraw) use up.
    spare = await county.ok(
        "POST",
        "/institutions",
        expect=201,
        json={
            "name": f"备用培训学校{uuid.uuid4().hex[:6]}",
            "credit_code": credit_code(),
            "kind": "private",
            "unit_code": unit,
            "approvals": [{"occupation_code": ELDERLY_CARE, "level": 5}],
        },
    )
    world.add("spare_institution", side, spare["id"])
    spare_offering = await list_offering(county, institution_id, unit_code=unit)
    world.add("spare_offering", side, spare_offering["id"])

    request = await learner.ok(
        "POST",
        "/requests",
        expect=201,
        json={"occupation_code": ELDERLY_CARE, "level": 5, "unit_code": unit},
    )
    world.add("request", side, request["id"])
    offering = await list_offering(county, institution_id, hours=16, unit_code=unit)
    world.add("offering", side, offering["id"])
    order = await learner.ok(
        "POST",
        "/orders",
        expect=201,
        json={"offering_id": offering["id"], "request_id": request["id"]},
    )
    world.add("order", side, order["id"])
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    await approved_class_plan(clerk, county, offering)
    await _learning_flag(learner, order["id"], shanghai_today() + dt.timedelta(days=5))
    await train(clerk, order["id"], 14)
    await clerk.ok("POST", f"/orders/{order['id']}/complete")
    flags = await county.ok("GET", "/flags", params={"order_id": order["id"]})
    world.add("flag", side, flags["items"][0]["id"])
    await county.ok(
        "POST",
        f"/flags/{flags['items'][0]['id']}/resolve",
        json={"resolution": "cleared", "reason": "核实：同一人切换设备"},
    )
    notes = await learner.ok("GET", "/me/notifications")
    world.add("notification", side, notes["items"][0]["id"])

    sitting = await evaluator.ok(
        "POST",
        "/evaluations/sessions",
        expect=201,
        json={
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "held_on": shanghai_today().isoformat(),
            "place": f"{unit}技能鉴定考场",
            "capacity": 5,
        },
    )
    world.add("session", side, sitting["id"])
    await clerk.ok(
        "POST",
        f"/evaluations/sessions/{sitting['id']}/candidates",
        expect=201,
        json={"order_id": order["id"]},
    )
    walk_in = await evaluator.ok(
        "POST",
        f"/evaluations/sessions/{sitting['id']}/candidates",
        expect=201,
        json={"name": "李四", "id_number": id_number()},
    )
    world.add("candidate", side, walk_in["id"])
    outcome = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 80},
    )
    world.add("result", side, outcome["result_id"])
    world.add("certificate", side, outcome["certificate_number"])

    await confirm_delivery(learner, order["id"])
    claim = await clerk.ok("POST", f"/orders/{order['id']}/claims", expect=201)
    world.add("claim", side, claim["id"])
    reviewed = await county.ok("POST", f"/claims/{claim['id']}/review")
    assert reviewed["status"] == "in_public_notice", reviewed
    objection = await learner.ok(
        "POST", f"/claims/{claim['id']}/objections", expect=201, json={"reason": "未见授课"}
    )
    world.add("objection", side, objection["id"])

    key = f"batch-{side}-{uuid.uuid4().hex[:8]}"
    await finance.ok(
        "POST",
        "/claims/pay-batch",
        json={"claim_ids": [claim["id"]]},
        headers={"Idempotency-Key": key},
    )
    world.add("payment_batch", side, key)

    report = await county.ok(
        "POST",
        "/reports/monthly",
        expect=201,
        json={"unit_code": unit, "month": shanghai_today().strftime("%Y-%m")},
    )
    world.add("monthly_report", side, report["id"])
    world.add("unit", side, unit)
    # Not anybody's: the same value on both sides, admitted for every caller the role allows.
    world.add("month", side, shanghai_today().strftime("%Y-%m"))
    world.add("year", side, shanghai_today().year)


async def _body(city: Api, name: str) -> int:
    body = await city.ok(
        "POST",
        "/evaluations/bodies",
        expect=201,
        json={
            "name": f"{name}{uuid.uuid4().hex[:6]}",
            "kind": "third_party",
            "accredited_on": "2019-06-01",
            "scope": [{"occupation_code": ELDERLY_CARE, "level": 5}],
        },
    )
    return int(body["id"])


async def build_world(http: httpx.AsyncClient) -> World:
    world = World()
    city, county, finance_a, finance_b, evaluator = await asyncio.gather(
        *(
            staff(http, name)
            for name in (
                "city-officer",
                "rencheng-officer",
                "finance-officer",
                "finance-officer-2",
                "evaluator",
            )
        )
    )
    qufu = Principal(id=990_002, role="government", unit_code=UNITS["B"])
    world.callers = {
        "city_officer": Caller("city_officer", None, city),
        "admin": Caller("admin", None, minted(http, Principal(id=990_001, role="admin"))),
        "county_officer:A": Caller("county_officer", "A", county),
        "county_officer:B": Caller("county_officer", "B", minted(http, qufu)),
        "finance:A": Caller("finance", "A", finance_a),
        "finance:B": Caller("finance", "B", finance_b),
        "evaluator:A": Caller("evaluator", "A", evaluator),
    }
    (body_b, evaluator_b), spare_a, spare_b, catalogue = await asyncio.gather(
        _body_with_evaluator(city, "曲阜评价机构"),
        _body(city, "备用评价机构"),
        _body(city, "备用评价机构"),
        city.ok("GET", "/catalogue/versions"),
    )
    world.callers["evaluator:B"] = Caller("evaluator", "B", evaluator_b)
    world.objects["body"] = {"A": 1, "B": body_b}
    world.objects["spare_body"] = {"A": spare_a, "B": spare_b}
    number = catalogue["items"][0]["number"]
    world.objects["catalogue_version"] = {"A": number, "B": number}
    await asyncio.gather(*(_side(world, side, city) for side in SIDES))
    return world


__all__ = ["SIDES", "UNITS", "Caller", "World", "build_world"]
