"""The object level of the authorisation matrix (issue 9, item 1), on the live stack.

One two-sided world (tests/e2e/world.py), on PostgreSQL when there is one (SQLite
otherwise: the services' scoping is the same SQL on both). Every gateway route with a path
parameter is called as every caller the role table (tests/gateway/access.py) admits, on its
own side's object and on the other side's, and the outcome is compared with the object table
(tests/gateway/objects.py): a scoped caller is refused the other side's object exactly as the
table says (404 `not_found` or 403 `forbidden`) and is not refused its own; everybody else is
refused neither, except where the table records that the service refuses a kind the gateway
lets through (`denied`). A few refused writes are checked to leave the object as it was. The lists
are checked too: an A-side caller's list holds its own object and none of the B side's.

The stack runs with a public notice of 10 working days, so a claim stays on notice and
objections can be filed against it; writes are called on objects in a state where they are
harmless, or on spare objects (spare institutions, offerings and bodies) where they are not.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from plumbing.clock import SHANGHAI, shanghai_today
from tests.e2e.client import ELDERLY_CARE, id_number
from tests.e2e.world import SIDES, Caller, World, build_world
from tests.gateway.access import ACCESS
from tests.gateway.objects import FORBIDDEN, NOT_FOUND, OBJECTS, Objects
from tests.stack import RunningStack, running_stack

Body = Callable[[World, Caller, str], Any]


def _later(hours: int) -> str:
    day = dt.datetime.combine(shanghai_today() + dt.timedelta(days=9), dt.time(hours, 0))
    return day.replace(tzinfo=SHANGHAI).isoformat()


def _reason(world: World, caller: Caller, side: str) -> dict[str, Any]:
    return {"reason": "对象级授权检查"}


def _account(world: World, caller: Caller, side: str) -> dict[str, Any]:
    return {"username": f"probe-{uuid.uuid4().hex[:10]}", "password": "probe-password-123"}


def _candidate(world: World, caller: Caller, side: str) -> dict[str, Any]:
    # Staff register their own completed order; an evaluator or officer registers a walk-in.
    if caller.kind == "institution":
        return {"order_id": world.objects["order"][caller.side or side]}
    return {"name": "王五", "id_number": id_number()}


def _attendance(world: World, caller: Caller, side: str) -> dict[str, Any]:
    channel = "classroom" if caller.kind == "institution" else "app"
    return {"on": shanghai_today().isoformat(), "hours": 1, "channel": channel}


def _class_plan(world: World, caller: Caller, side: str) -> dict[str, Any]:
    return {
        "teaching_plan": "理论与实操结合",
        "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
        "sessions": [{"on": shanghai_today().isoformat(), "hours": 8}] * 2,
    }


def _const(body: dict[str, Any]) -> Body:
    return lambda world, caller, side: body


BODIES: dict[str, Body] = {
    "POST /api/v1/certificates/{number}/revoke": _reason,
    "POST /api/v1/claims/{claim_id}/claw-back": _reason,
    "POST /api/v1/claims/{claim_id}/objections": _reason,
    "POST /api/v1/claims/{claim_id}/reject": _reason,
    "POST /api/v1/claims/{claim_id}/review": _const({}),
    "POST /api/v1/evaluations/bodies/{body_id}/evaluators": _account,
    "POST /api/v1/evaluations/bodies/{body_id}/reinstate": _const({}),
    "POST /api/v1/evaluations/bodies/{body_id}/revoke": _reason,
    "POST /api/v1/evaluations/bodies/{body_id}/suspend": _reason,
    "PUT /api/v1/evaluations/bodies/{body_id}/scope": _const(
        {"scope": [{"occupation_code": ELDERLY_CARE, "level": 5}]}
    ),
    "POST /api/v1/evaluations/candidates/{candidate_id}/result": _const(
        {"passed": True, "score": 70}
    ),
    "POST /api/v1/evaluations/results/{result_id}/corrections": _const(
        {"reason": "复核", "passed": True, "score": 80}
    ),
    "POST /api/v1/evaluations/sessions/{session_id}/candidates": _candidate,
    "POST /api/v1/flags/{flag_id}/resolve": _const(
        {"resolution": "cleared", "reason": "对象级授权检查"}
    ),
    "PATCH /api/v1/institutions/{institution_id}": _const({"address": "济宁市对象级检查路1号"}),
    "PATCH /api/v1/institutions/{institution_id}/contact": _const({"contact_name": "张老师"}),
    "POST /api/v1/institutions/{institution_id}/approvals": _const(
        {"occupation_code": ELDERLY_CARE, "level": 4}
    ),
    "POST /api/v1/institutions/{institution_id}/designations": _const(
        {"kind": "skill_base", "tier": "provincial", "awarded_on": "2025-01-01"}
    ),
    "POST /api/v1/institutions/{institution_id}/inspections": lambda w, c, s: {
        "inspected_on": shanghai_today().isoformat(),
        "findings": "台账齐全",
        "severity": "minor",
    },
    "POST /api/v1/institutions/{institution_id}/reinstate": _const({}),
    "POST /api/v1/institutions/{institution_id}/revoke": _reason,
    "POST /api/v1/institutions/{institution_id}/staff": _account,
    "POST /api/v1/institutions/{institution_id}/suspend": _reason,
    "POST /api/v1/objections/{objection_id}/decide": _const(
        {"uphold": False, "reason": "对象级授权检查"}
    ),
    "POST /api/v1/offerings/{offering_id}/class-plan": _class_plan,
    "POST /api/v1/offerings/{offering_id}/class-plan/return": _reason,
    "POST /api/v1/offerings/{offering_id}/withdraw": _reason,
    "POST /api/v1/orders/{order_id}/attendance": _attendance,
    "POST /api/v1/orders/{order_id}/cancel": _const({}),
    "POST /api/v1/orders/{order_id}/dispute": _reason,
    "POST /api/v1/orders/{order_id}/drop": _reason,
    "POST /api/v1/orders/{order_id}/learning-sessions": lambda w, c, s: {
        "channel": "app",
        "started_at": _later(19),
        "ended_at": _later(20),
        "device_id": "probe-device",
    },
    "POST /api/v1/orders/{order_id}/reject": _reason,
    "PUT /api/v1/quotas/{year}/{unit_code}": _const({"quota": 1000}),
    "PUT /api/v1/reports/monthly/{report_id}/narrative": _const({"narrative": "本月进展顺利"}),
}

# Called last, in this order: they end an object's useful life (its state is terminal or
# takes other objects with it).
LAST = [
    "POST /api/v1/reports/monthly/{report_id}/sign-off",
    "POST /api/v1/objections/{objection_id}/decide",
    "POST /api/v1/claims/{claim_id}/reject",
    "POST /api/v1/certificates/{number}/revoke",
    "POST /api/v1/offerings/{offering_id}/withdraw",
    "POST /api/v1/institutions/{institution_id}/suspend",
    "POST /api/v1/institutions/{institution_id}/reinstate",
    "POST /api/v1/institutions/{institution_id}/revoke",
    "POST /api/v1/evaluations/bodies/{body_id}/suspend",
    "POST /api/v1/evaluations/bodies/{body_id}/reinstate",
    "POST /api/v1/evaluations/bodies/{body_id}/revoke",
]

# A read that shows the object a write would change, as the city officer sees it: a refused
# write must leave it exactly as it was.
WITNESSES: dict[str, str] = {
    "PATCH /api/v1/institutions/{institution_id}": "/institutions/{id}",
    "PATCH /api/v1/institutions/{institution_id}/contact": "/institutions/{id}",
    "POST /api/v1/orders/{order_id}/cancel": "/orders/{id}",
    "POST /api/v1/orders/{order_id}/dispute": "/orders/{id}/timeline",
    "POST /api/v1/claims/{claim_id}/reject": "/claims/{id}",
    "POST /api/v1/objections/{objection_id}/decide": "/claims/{claim}/objections",
    "PUT /api/v1/reports/monthly/{report_id}/narrative": "/reports/monthly/{id}",
    "POST /api/v1/reports/monthly/{report_id}/sign-off": "/reports/monthly/{id}",
    "POST /api/v1/offerings/{offering_id}/withdraw": "/offerings/{id}",
    "POST /api/v1/institutions/{institution_id}/suspend": "/institutions/{id}",
    "POST /api/v1/evaluations/results/{result_id}/corrections": "/evaluations/results/{id}",
    "POST /api/v1/certificates/{number}/revoke": "/certificates/{id}",
}


async def _gathered(world: World, routes: list[str], width: int = 8) -> list[list[str]]:
    gate = asyncio.Semaphore(width)

    async def one(route: str) -> list[str]:
        async with gate:
            return await _mismatches(world, route)

    return await asyncio.gather(*(one(route) for route in routes))


def _order(route: str) -> tuple[int, int, str]:
    method = route.split(" ", 1)[0]
    last = LAST.index(route) if route in LAST else -1
    return (last, {"PATCH": 0, "PUT": 1}.get(method, 2), route)


@pytest.fixture(scope="module")
async def notice_stack(
    backend: str, pg_server: str | None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningStack]:
    """A stack of its own: claims stay on public notice (objections can be filed), and the
    lists hold only this world's objects."""
    if backend == "sqlite" and pg_server is not None:
        pytest.skip("one world is enough, and PostgreSQL's is the real one: the scoping is SQL")
    tmp: Path = tmp_path_factory.mktemp(f"objects-{backend}")
    extra = {"JINENG_PUBLIC_NOTICE_DAYS": "10"}
    async with running_stack(backend, tmp, pg_server, extra_env=extra) as running:
        yield running


@pytest.fixture(scope="module")
async def world(notice_stack: RunningStack) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=notice_stack.gateway, timeout=30) as http:
        yield await build_world(http)


def _url(route: str, entry: Objects, world: World, side: str) -> str:
    path = route.split(" ", 1)[1].removeprefix("/api/v1")
    params = [p.split("}")[0] for p in path.split("{")[1:]]
    target = entry.param or params[0]
    for param in params:
        value = world.objects[entry.kind if param == target else param][side]
        path = path.replace("{" + param + "}", str(value))
    return path


async def _witness(world: World, route: str, side: str) -> Any:
    if route not in WITNESSES:
        return None
    entry = OBJECTS[route]
    path = WITNESSES[route].format(
        id=world.objects[entry.kind][side], claim=world.objects["claim"][side]
    )
    return (await world.api("city_officer").call("GET", path, expect=200)).json()


async def _call(
    world: World, route: str, entry: Objects, caller: Caller, side: str
) -> httpx.Response:
    method = route.split(" ", 1)[0]
    kwargs: dict[str, Any] = {"headers": {"Idempotency-Key": f"probe-{uuid.uuid4()}"}}
    if route in BODIES:
        kwargs["json"] = BODIES[route](world, caller, side)
    return await caller.api.call(method, _url(route, entry, world, side), **kwargs)


def _code(response: httpx.Response) -> str:
    if "json" not in response.headers.get("content-type", ""):
        return ""
    body = response.json()
    return str(body.get("code", "")) if isinstance(body, dict) else ""


async def _mismatches(world: World, route: str, entry: Objects | None = None) -> list[str]:
    entry = entry or OBJECTS[route]
    admitted = ACCESS[route] - {"anonymous"}
    wrong = []
    for caller in world.callers.values():
        if caller.kind not in admitted:
            continue
        if caller.side == "B" and caller.kind not in entry.scoped:
            continue  # where a kind is not scoped, one of its callers shows it on both sides
        scoped = entry.scoped.get(caller.kind)
        denied = entry.denied.get(caller.kind)
        own_side = caller.side or "A"
        # The other side first: its refusal must leave the object as it was.
        for side in sorted(SIDES, key=lambda s: s == own_side):
            before = await _witness(world, route, side)
            response = await _call(world, route, entry, caller, side)
            got = (response.status_code, _code(response))
            refused = got in (NOT_FOUND, FORBIDDEN)
            label = f"{route} as {caller.kind}:{caller.side} on {side}'s: {got}"
            if response.status_code >= 500:
                wrong.append(f"{label} {response.text[:200]}")
            elif scoped is not None and side != caller.side:
                if got != scoped:
                    wrong.append(f"{label}, the table says {scoped}")
                elif before is not None and await _witness(world, route, side) != before:
                    wrong.append(f"{label}: refused, yet the object changed")
            elif denied is not None:
                if got != denied:
                    wrong.append(f"{label}, the table says the service denies {denied}")
            elif refused:
                wrong.append(f"{label}, the table says it may {response.text[:200]}")
    return wrong


async def test_every_object_route_refuses_the_other_sides_object(
    world: World, backend: str
) -> None:
    """Routes run side by side, except the writes whose refusals are checked to change
    nothing and those that end an object's life: those one at a time, afterwards, in an
    order that keeps each object usable until its last route. The services check the
    object before its state, so a write's outcome (done, or 409) never decides whether it
    counts as refused."""
    alone = sorted((route for route in OBJECTS if route in WITNESSES or route in LAST), key=_order)
    together = [route for route in OBJECTS if route not in alone]
    width = 8 if backend == "postgresql" else 1  # SQLite writes one at a time anyway
    wrong = [line for found in await _gathered(world, together, width) for line in found]
    for route in alone:
        wrong += await _mismatches(world, route)
    assert wrong == []


async def test_the_probe_reports_a_wrong_entry(world: World) -> None:
    """The probe can fail: an entry claiming everyone may read any order, or the wrong
    refusal, is reported caller by caller."""
    route = "GET /api/v1/orders/{order_id}"
    open_to_all = await _mismatches(world, route, Objects("order"))
    callers = sorted(line.split(" as ")[1].split(" on ")[0] for line in open_to_all)
    # An unscoped kind is called through its A-side caller only, on both sides' objects.
    assert callers == ["county_officer:A", "institution:A", "worker:A"]
    wrong_refusal = await _mismatches(world, route, Objects("order", {"worker": FORBIDDEN}))
    callers = sorted(line.split(" as ")[1].split(" on ")[0] for line in wrong_refusal)
    assert callers == ["county_officer:A", "institution:A", "worker:A", "worker:B"]
    assert all("(404, 'not_found')" in line for line in wrong_refusal)


# The lists, filtered by the caller in the service's query: for each, the kind of object its
# items are, the field naming it, and the caller kinds that see only their own side's.
LISTS: dict[str, tuple[str, str, frozenset[str]]] = {
    "/orders": ("order", "id", frozenset({"worker", "institution", "county_officer"})),
    "/claims": ("claim", "id", frozenset({"institution", "county_officer"})),
    "/requests": ("request", "id", frozenset({"worker", "county_officer"})),
    "/me/notifications": ("notification", "id", frozenset({"worker"})),
    "/flags": ("flag", "id", frozenset({"worker", "county_officer"})),
    "/class-plans": ("offering", "offering_id", frozenset({"institution", "county_officer"})),
    "/offerings": ("offering", "id", frozenset({"institution", "county_officer"})),
    "/evaluations/results": ("result", "id", frozenset({"worker", "evaluator"})),
    "/me/certificates": ("certificate", "number", frozenset({"worker"})),
    "/reports/monthly": ("monthly_report", "id", frozenset({"county_officer"})),
}


async def test_a_callers_lists_hold_none_of_the_other_sides_objects(world: World) -> None:
    wrong = []
    for path, (kind, key, kinds) in LISTS.items():
        for caller in world.callers.values():
            if caller.kind not in kinds:
                continue
            assert caller.side is not None
            page = await caller.api.ok("GET", path, params={"limit": 200})
            seen = {item[key] for item in page["items"]}
            own, other = (
                world.objects[kind][s] for s in sorted(SIDES, key=lambda s: s != caller.side)
            )
            if own not in seen or other in seen:
                wrong.append(f"GET {path} as {caller.kind}:{caller.side}: {sorted(seen)}")
    assert wrong == []


async def test_objects_named_in_a_body_are_scoped_too(world: World) -> None:
    """Some writes name an object in their body rather than their path: the other side's is
    refused there as well, and nothing is created."""
    today = shanghai_today()
    county_a, clerk_a, worker_a = (
        world.api(name) for name in ("county_officer:A", "institution:A", "worker:A")
    )
    offering_at_y = {
        "institution_id": world.objects["institution"]["B"],
        "occupation_code": ELDERLY_CARE,
        "level": 5,
        "capacity": 5,
        "hours": 8,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=10)).isoformat(),
    }
    before = await world.api("city_officer").ok("GET", "/offerings", params={"limit": 200})
    attempts = {
        # A county officer lists nothing in another unit.
        "offering in qufu": await county_a.call(
            "POST", "/offerings", json={**offering_at_y, "unit_code": "qufu"}
        ),
        # Staff register only their own institution's orders for an evaluation.
        "B's order in A's session": await clerk_a.call(
            "POST",
            f"/evaluations/sessions/{world.objects['session']['A']}/candidates",
            json={"order_id": world.objects["order"]["B"]},
        ),
        # A worker's order cites only its own training request.
        "order citing B's request": await worker_a.call(
            "POST",
            "/orders",
            json={
                "offering_id": world.objects["spare_offering"]["A"],
                "request_id": world.objects["request"]["B"],
            },
        ),
        "report for qufu": await county_a.call(
            "POST", "/reports/monthly", json={"unit_code": "qufu", "month": f"{today:%Y-%m}"}
        ),
    }
    outcomes = {name: (r.status_code, _code(r)) for name, r in attempts.items()}
    assert outcomes == {
        "offering in qufu": FORBIDDEN,
        "B's order in A's session": NOT_FOUND,
        "order citing B's request": NOT_FOUND,
        "report for qufu": FORBIDDEN,
    }
    after = await world.api("city_officer").ok("GET", "/offerings", params={"limit": 200})
    assert after["total"] == before["total"]
