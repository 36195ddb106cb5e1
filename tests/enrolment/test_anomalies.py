"""Learning from the three ends merged per order, and one test per anomaly pattern; a
clean learner raises no flag; an open flag blocks the claim until government resolves it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient

from plumbing.clock import SHANGHAI, shanghai_today
from plumbing.principal import Principal
from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    INSTITUTION,
    YANZHOU,
    confirm,
    make_offering,
    make_order,
    problem,
    worker,
)
from tests.support import as_

W = worker(701)


def at(hour: int, minute: int = 0, day: int = 0) -> str:
    when = dt.datetime.combine(shanghai_today() + dt.timedelta(days=day), dt.time(hour, minute))
    return when.replace(tzinfo=SHANGHAI).isoformat()


async def _accepted(client: AsyncClient, who: Principal, **kw: Any) -> dict[str, Any]:
    order = await make_order(client, who, **kw)
    r = await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION))
    assert r.status_code == 200, r.text
    return order


async def _online(
    client: AsyncClient,
    who: Principal,
    order_id: int,
    channel: str,
    start: str,
    end: str,
    device: str = "phone-1",
) -> dict[str, Any]:
    r = await client.post(
        f"/v1/orders/{order_id}/learning-sessions",
        json={"channel": channel, "started_at": start, "ended_at": end, "device_id": device},
        headers=as_(who),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _classroom(
    client: AsyncClient, order_id: int, hours: float, day: int = 0, start: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "on": (shanghai_today() + dt.timedelta(days=day)).isoformat(),
        "hours": hours,
        "channel": "classroom",
    }
    if start is not None:
        body |= {"started_at": at(start, day=day), "ended_at": at(start + int(hours), day=day)}
    r = await client.post(f"/v1/orders/{order_id}/attendance", json=body, headers=as_(INSTITUTION))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _flags(client: AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/v1/flags", params=params, headers=as_(CITY))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_a_clean_learner_raises_no_flag_and_three_ends_merge(client: AsyncClient) -> None:
    order = await _accepted(client, W)
    await _classroom(client, order["id"], 3, start=9)
    await _online(client, W, order["id"], "app", at(19), at(20))
    await _online(client, W, order["id"], "wechat", at(20), at(21, 30))
    last = await _online(client, W, order["id"], "pc", at(19, day=1), at(20, 30, day=1))
    assert last["attended_hours"] == 3 + 1 + 1.5 + 1.5
    assert last["flags"] == []
    assert await _flags(client) == []


async def test_two_ends_learning_at_once_are_flagged(client: AsyncClient) -> None:
    order = await _accepted(client, W)
    await _online(client, W, order["id"], "app", at(19), at(20))
    second = await _online(client, W, order["id"], "wechat", at(19, 30), at(20, 30))
    assert second["flags"] == ["overlapping_ends"]
    flags = await _flags(client, order_id=order["id"])
    assert [f["kind"] for f in flags] == ["overlapping_ends"]
    assert flags[0]["status"] == "open"


async def test_too_many_hours_in_a_day_are_flagged(client: AsyncClient) -> None:
    order = await _accepted(client, W)
    assert (await _classroom(client, order["id"], 8))["flags"] == []
    extra = await _online(client, W, order["id"], "app", at(21), at(22))
    assert extra["flags"] == ["daily_hours"]
    assert "9 hours" in (await _flags(client))[0]["detail"]


async def test_online_learning_during_a_classroom_session_elsewhere_is_flagged(
    client: AsyncClient,
) -> None:
    in_class = await _accepted(client, W)
    elsewhere = await _accepted(
        client, W, occupation_code="6-31-01-03", occupation_name="电工", level=4
    )
    await _classroom(client, in_class["id"], 3, start=9)
    online = await _online(client, W, elsewhere["id"], "app", at(10), at(11))
    assert online["flags"] == ["online_during_classroom"]
    assert [f["order_id"] for f in await _flags(client)] == [elsewhere["id"]]


async def test_one_device_learning_for_many_workers_is_flagged(client: AsyncClient) -> None:
    offering = await make_offering(client)
    learners = [worker(710 + i) for i in range(3)]
    orders = []
    for who in learners:
        order = await make_order(client, who, offering)
        await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION))
        orders.append(order)
    for i, (who, order) in enumerate(zip(learners[:2], orders[:2], strict=True)):
        rec = await _online(client, who, order["id"], "app", at(8 + i), at(9 + i), "shared")
        assert rec["flags"] == []  # two workers on one device: a family phone
    third = await _online(client, learners[2], orders[2]["id"], "app", at(12), at(13), "shared")
    assert third["flags"] == ["shared_device"]
    flagged = sorted(f["order_id"] for f in await _flags(client, kind="shared_device"))
    assert flagged == sorted(o["id"] for o in orders)


async def test_an_open_flag_blocks_the_claim_until_government_resolves_it(
    client: AsyncClient,
) -> None:
    order = await _accepted(client, W)
    await _online(client, W, order["id"], "app", at(19), at(20))
    await _online(client, W, order["id"], "pc", at(19), at(20), "laptop")
    for day in range(1, 9):
        await _classroom(client, order["id"], 8, day=day)
    r = await client.post(f"/v1/orders/{order['id']}/complete", headers=as_(INSTITUTION))
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/v1/orders/{order['id']}/evaluation",
        json={"passed": True, "certificate_number": "C-FLAG-1", "result_id": 1},
        headers=as_(EVALUATOR),
    )
    assert r.status_code == 200, r.text
    await confirm(client, order["id"])
    claim_url = f"/v1/orders/{order['id']}/claims"
    body = problem(
        await client.post(claim_url, headers=as_(INSTITUTION)), 409, "learning_flags_open"
    )
    flag_id = body["flags"][0]["id"]
    resolve = f"/v1/flags/{flag_id}/resolve"
    problem(
        await client.post(resolve, json={"resolution": "cleared"}, headers=as_(CITY)),
        422,
        "validation_failed",
    )
    problem(
        await client.post(resolve, json={"resolution": "cleared", "reason": "x"}, headers=as_(W)),
        403,
        "forbidden",
    )
    problem(
        await client.post(
            resolve, json={"resolution": "cleared", "reason": "x"}, headers=as_(YANZHOU)
        ),
        404,
        "not_found",
    )
    cleared = await client.post(
        resolve,
        json={"resolution": "cleared", "reason": "核实为同一时段切换设备，非重复计时"},
        headers=as_(CITY),
    )
    assert cleared.status_code == 200
    assert (cleared.json()["status"], cleared.json()["resolved_by"]) == ("cleared", CITY.id)
    again = await client.post(
        resolve, json={"resolution": "confirmed", "reason": "x"}, headers=as_(CITY)
    )
    assert problem(again, 409, "invalid_state")["current_status"] == "cleared"
    assert (await client.post(claim_url, headers=as_(INSTITUTION))).status_code == 201


async def test_bad_sessions_are_refused_and_change_nothing(client: AsyncClient) -> None:
    order = await _accepted(client, W)
    url = f"/v1/orders/{order['id']}/learning-sessions"
    for body in (
        {"channel": "app", "started_at": at(20), "ended_at": at(19), "device_id": "d"},
        {"channel": "classroom", "started_at": at(19), "ended_at": at(20), "device_id": "d"},
        {"channel": "app", "started_at": at(1), "ended_at": at(20), "device_id": "d"},
        {
            "channel": "app",
            "started_at": "2026-03-02T19:00:00",
            "ended_at": at(20),
            "device_id": "d",
        },
        {"channel": "app", "started_at": at(19), "ended_at": at(20)},
    ):
        problem(await client.post(url, json=body, headers=as_(W)), 422, "validation_failed")
    good = {"channel": "app", "started_at": at(19), "ended_at": at(20), "device_id": "d"}
    problem(await client.post(url, json=good, headers=as_(INSTITUTION)), 403, "forbidden")
    fetched = (await client.get(f"/v1/orders/{order['id']}", headers=as_(CITY))).json()
    assert (fetched["status"], fetched["attended_hours"]) == ("accepted", 0)
