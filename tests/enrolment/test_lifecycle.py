"""Orders in full: in_training and dropped, expiry (swept and on acceptance) with the
clock, delivery confirmation before a claim, and the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient

from plumbing.clock import frozen_at, shanghai_today
from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    INSTITUTION,
    RENCHENG,
    advance,
    make_offering,
    make_order,
    make_profile,
    problem,
    select,
    worker,
)
from tests.support import as_

W = worker(601)
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


async def _order(client: AsyncClient, order_id: int) -> dict[str, Any]:
    return dict((await client.get(f"/v1/orders/{order_id}", headers=as_(CITY))).json())


async def _seats_left(client: AsyncClient, offering_id: int) -> int:
    response = await client.get(f"/v1/offerings/{offering_id}", headers=as_(CITY))
    return int(response.json()["seats_left"])


async def _sweep(client: AsyncClient) -> dict[str, int]:
    response = await client.post("/v1/orders/expire", headers=as_(CITY))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_first_attendance_starts_training_and_dropping_needs_a_reason(
    client: AsyncClient,
) -> None:
    order = await make_order(client, W)
    await advance(client, order["id"], "accepted")
    first = await client.post(
        f"/v1/orders/{order['id']}/attendance",
        json={"on": shanghai_today().isoformat(), "hours": 4, "channel": "classroom"},
        headers=as_(INSTITUTION),
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "in_training"
    problem(
        await client.post(f"/v1/orders/{order['id']}/drop", json={}, headers=as_(INSTITUTION)),
        422,
        "validation_failed",
    )
    problem(
        await client.post(f"/v1/orders/{order['id']}/drop", json={"reason": "x"}, headers=as_(W)),
        403,
        "forbidden",
    )
    dropped = await client.post(
        f"/v1/orders/{order['id']}/drop", json={"reason": "外出务工"}, headers=as_(INSTITUTION)
    )
    assert dropped.status_code == 200
    assert dropped.json()["status"] == "dropped"
    again = await client.post(
        f"/v1/orders/{order['id']}/drop", json={"reason": "x"}, headers=as_(INSTITUTION)
    )
    assert problem(again, 409, "invalid_state")["current_status"] == "dropped"
    # A dropped order keeps its seat and its yearly slot: the training was taken up.
    assert await _seats_left(client, order["offering_id"]) == 29


async def test_the_sweep_expires_orders_not_accepted_in_time(client: AsyncClient) -> None:
    with frozen_at(T0):
        offering = await make_offering(client, capacity=2)
        late = await make_order(client, W, offering)
        on_time = await make_order(client, worker(602), offering)
    with frozen_at(T0 + 7 * DAY - dt.timedelta(seconds=1)):
        assert await _sweep(client) == {"orders_expired": 0, "requests_expired": 0}
        accepted = await client.post(f"/v1/orders/{on_time['id']}/accept", headers=as_(INSTITUTION))
        assert accepted.status_code == 200
    with frozen_at(T0 + 7 * DAY):
        assert await _sweep(client) == {"orders_expired": 1, "requests_expired": 0}
        assert await _sweep(client) == {"orders_expired": 0, "requests_expired": 0}
    expired = await _order(client, late["id"])
    assert expired["status"] == "expired"
    assert await _seats_left(client, offering["id"]) == 1
    # the slot and the occupation+level are free again, and the worker is told
    again = await make_offering(client)
    assert (await select(client, W, again["id"])).status_code == 201
    feed = (await client.get("/v1/workers/me/notifications", headers=as_(W))).json()
    assert [n["kind"] for n in feed["items"]] == ["order_expired"]
    timeline = (await client.get(f"/v1/orders/{late['id']}/timeline", headers=as_(W))).json()
    assert timeline["items"][-1]["action"] == "expire"
    assert timeline["items"][-1]["reason"] == "not accepted within 7 days"


async def test_accepting_an_overdue_order_expires_it(client: AsyncClient) -> None:
    with frozen_at(T0):
        order = await make_order(client, W)
    with frozen_at(T0 + 8 * DAY):
        late = await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION))
    assert problem(late, 409, "invalid_state")["current_status"] == "expired"
    assert (await _order(client, order["id"]))["status"] == "expired"
    assert await _seats_left(client, order["offering_id"]) == 30


async def test_requests_expire_after_the_configured_days(client: AsyncClient) -> None:
    with frozen_at(T0):
        await make_profile(client, W)
        body = {"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"}
        request = (await client.post("/v1/requests", json=body, headers=as_(W))).json()
    with frozen_at(T0 + 90 * DAY):
        assert (await _sweep(client))["requests_expired"] == 1
    got = await client.get(f"/v1/requests/{request['id']}", headers=as_(W))
    assert got.json()["status"] == "expired"
    problem(await client.post("/v1/orders/expire", headers=as_(INSTITUTION)), 403, "forbidden")


async def test_delivery_is_confirmed_by_the_worker_before_a_claim(client: AsyncClient) -> None:
    order = await make_order(client, W)
    early = await client.post(f"/v1/orders/{order['id']}/confirm", headers=as_(W))
    assert problem(early, 409, "invalid_state")["current_status"] == "selected"
    await advance(client, order["id"], "certified", confirmed=False)
    claim_url = f"/v1/orders/{order['id']}/claims"
    problem(await client.post(claim_url, headers=as_(INSTITUTION)), 409, "delivery_not_confirmed")
    problem(
        await client.post(f"/v1/orders/{order['id']}/confirm", headers=as_(INSTITUTION)),
        403,
        "forbidden",
    )
    problem(
        await client.post(f"/v1/orders/{order['id']}/dispute", json={}, headers=as_(W)),
        422,
        "validation_failed",
    )
    disputed = await client.post(
        f"/v1/orders/{order['id']}/dispute", json={"reason": "只上了两次课"}, headers=as_(W)
    )
    assert disputed.json()["delivery"] == "disputed"
    body = problem(
        await client.post(claim_url, headers=as_(INSTITUTION)), 409, "delivery_not_confirmed"
    )
    assert body["delivery"] == "disputed"
    twice = await client.post(
        f"/v1/orders/{order['id']}/dispute", json={"reason": "again"}, headers=as_(W)
    )
    problem(twice, 409, "delivery_already_recorded")
    confirmed = await client.post(f"/v1/orders/{order['id']}/confirm", headers=as_(W))
    assert confirmed.json()["delivery"] == "confirmed"
    problem(
        await client.post(f"/v1/orders/{order['id']}/confirm", headers=as_(W)),
        409,
        "delivery_already_recorded",
    )
    claim = await client.post(claim_url, headers=as_(INSTITUTION))
    assert claim.status_code == 201, claim.text


async def test_timeline_shows_every_step_with_actor_time_and_reason(client: AsyncClient) -> None:
    order = await make_order(client, W)
    await advance(client, order["id"], "claimed")
    timeline = await client.get(f"/v1/orders/{order['id']}/timeline", headers=as_(RENCHENG))
    assert timeline.status_code == 200
    items = timeline.json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in items] == [
        ("select", None, "selected"),
        ("accept", "selected", "accepted"),
        ("first attendance", "accepted", "in_training"),
        ("complete", "in_training", "completed"),
        ("evaluate", "completed", "certified"),
        ("confirm delivery", "certified", "certified"),
        ("claim the subsidy", "certified", "claimed"),
    ]
    assert [e["actor_role"] for e in items] == [
        "worker",
        "institution",
        "institution",
        "institution",
        "evaluator",
        "worker",
        "institution",
    ]
    assert all(e["at"] for e in items)
    assert timeline.json()["status"] == "claimed"
    other = await client.get(f"/v1/orders/{order['id']}/timeline", headers=as_(worker(699)))
    problem(other, 404, "not_found")
    assert EVALUATOR.role == "evaluator"


async def test_cancelling_gives_the_request_back(client: AsyncClient) -> None:
    await make_profile(client, W)
    body = {"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"}
    request = (await client.post("/v1/requests", json=body, headers=as_(W))).json()
    offering = await make_offering(client)
    order = (await select(client, W, offering["id"], request_id=request["id"])).json()
    got = (await client.get(f"/v1/requests/{request['id']}", headers=as_(W))).json()
    assert (got["status"], got["order_id"]) == ("fulfilled", order["id"])
    await client.post(f"/v1/orders/{order['id']}/cancel", headers=as_(W))
    got = (await client.get(f"/v1/requests/{request['id']}", headers=as_(W))).json()
    assert (got["status"], got["order_id"]) == ("matched", None)
