"""Order 3 (selection) and its limits, and order 4 and training (the lifecycle)."""

from __future__ import annotations

import datetime as dt

from httpx import AsyncClient
from sqlalchemy import text

from plumbing.clock import shanghai_today
from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    FINANCE,
    INSTITUTION,
    OTHER_INSTITUTION,
    RENCHENG,
    YANZHOU,
    advance,
    make_offering,
    make_order,
    make_profile,
    problem,
    select,
    worker,
)
from tests.support import as_

W = worker(301)


async def _seats(client: AsyncClient, offering_id: int) -> int:
    return int(
        (await client.get(f"/v1/offerings/{offering_id}", headers=as_(CITY))).json()["seats_left"]
    )


async def _events(client: AsyncClient, order_id: int) -> list[tuple[str | None, str, int, str]]:
    async with client._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        rows = await session.execute(
            text(
                "SELECT from_status, to_status, actor_id, actor_role FROM order_events"
                " WHERE order_id = :id ORDER BY id"
            ),
            {"id": order_id},
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_selection_creates_a_selected_order(client: AsyncClient) -> None:
    await make_profile(client, W, name="张三丰")
    offering = await make_offering(client)
    await make_profile(client, worker(302))
    request = (
        await client.post(
            "/v1/requests",
            json={"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"},
            headers=as_(W),
        )
    ).json()
    response = await select(client, W, offering["id"], request_id=request["id"])
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "selected"
    assert order["worker_name_masked"] == "张**"
    assert order["request_id"] == request["id"]
    assert order["subsidy_fen"] == 150_000
    assert order["hours"] == 80
    assert (
        order["subsidy_year"]
        == dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).year
    )
    assert order["institution_id"] == 1
    assert order["unit_code"] == "rencheng"
    assert order["attended_hours"] == 0
    assert await _seats(client, offering["id"]) == 29
    assert await _events(client, order["id"]) == [(None, "selected", W.id, "worker")]
    # Someone else's request cannot be used.
    problem(
        await select(client, worker(302), offering["id"], request_id=request["id"]),
        404,
        "not_found",
    )


async def test_selection_errors(client: AsyncClient) -> None:
    offering = await make_offering(client, capacity=1)
    problem(await select(client, W, offering["id"]), 409, "profile_required")
    await make_profile(client, W)
    problem(await select(client, W, 999_999), 404, "not_found")
    problem(await select(client, CITY, offering["id"]), 403, "forbidden")
    assert (await select(client, W, offering["id"])).status_code == 201
    await make_profile(client, worker(303))
    problem(await select(client, worker(303), offering["id"]), 409, "offering_full")
    same = await make_offering(client)
    problem(await select(client, W, same["id"]), 409, "occupation_level_already_subsidised")
    assert await _seats(client, same["id"]) == 30  # the seat taken rolled back with it


async def test_pensioner_cannot_select(client: AsyncClient) -> None:
    await make_profile(client, W, receives_pension=True)
    offering = await make_offering(client)
    problem(await select(client, W, offering["id"]), 409, "not_eligible")
    assert await _seats(client, offering["id"]) == 30


async def test_yearly_cap_is_three_and_cancelling_frees_a_slot(client: AsyncClient) -> None:
    await make_profile(client, W)
    orders = []
    for level in (5, 4, 3):
        offering = await make_offering(client, level=level)
        orders.append((await select(client, W, offering["id"])).json())
    fourth = await make_offering(client, level=2)
    body = problem(await select(client, W, fourth["id"]), 409, "yearly_cap_reached")
    assert body["subsidy_year"] == orders[0]["subsidy_year"]
    assert await _seats(client, fourth["id"]) == 30
    cancelled = await client.post(
        f"/v1/orders/{orders[0]['id']}/cancel", json={"reason": "时间冲突"}, headers=as_(W)
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["reason"] == "时间冲突"
    assert await _seats(client, orders[0]["offering_id"]) == 30
    assert (await select(client, W, fourth["id"])).status_code == 201
    # ... and the cancelled occupation+level may be chosen again.
    again = await make_offering(client, level=5)
    problem(await select(client, W, again["id"]), 409, "yearly_cap_reached")


async def test_cancel_only_by_the_owner_before_acceptance(client: AsyncClient) -> None:
    order = await make_order(client, W)
    problem(
        await client.post(f"/v1/orders/{order['id']}/cancel", headers=as_(worker(399))),
        404,
        "not_found",
    )
    problem(
        await client.post(f"/v1/orders/{order['id']}/cancel", headers=as_(CITY)), 403, "forbidden"
    )
    await advance(client, order["id"], "accepted")
    body = problem(
        await client.post(f"/v1/orders/{order['id']}/cancel", headers=as_(W)), 409, "invalid_state"
    )
    assert body["current_status"] == "accepted"


async def test_reject_frees_seat_and_slot_and_needs_a_reason(client: AsyncClient) -> None:
    order = await make_order(client, W)
    url = f"/v1/orders/{order['id']}/reject"
    problem(
        await client.post(url, json={"reason": ""}, headers=as_(INSTITUTION)),
        422,
        "validation_failed",
    )
    problem(
        await client.post(url, json={"reason": "满"}, headers=as_(OTHER_INSTITUTION)),
        404,
        "not_found",
    )
    problem(await client.post(url, json={"reason": "满"}, headers=as_(W)), 403, "forbidden")
    response = await client.post(url, json={"reason": "班级已满"}, headers=as_(INSTITUTION))
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reason"] == "班级已满"
    assert await _seats(client, order["offering_id"]) == 30
    again = await make_offering(client)
    assert (await select(client, W, again["id"])).status_code == 201
    events = await _events(client, order["id"])
    assert events[-1] == ("selected", "rejected", INSTITUTION.id, "institution")
    body = problem(
        await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "rejected"


async def test_attendance_rules(client: AsyncClient) -> None:
    order = await make_order(client, W)
    url = f"/v1/orders/{order['id']}/attendance"
    today = shanghai_today().isoformat()
    body = problem(
        await client.post(
            url, json={"on": today, "hours": 2, "channel": "classroom"}, headers=as_(INSTITUTION)
        ),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "selected"
    await advance(client, order["id"], "accepted")
    online = await client.post(
        url, json={"on": today, "hours": 1.5, "channel": "wechat"}, headers=as_(W)
    )
    assert online.status_code == 201, online.text
    assert online.json()["attended_hours"] == 1.5
    assert online.json()["channel"] == "wechat"
    assert online.json()["recorded_by"] == W.id
    assert online.json()["on"] == today
    classroom = await client.post(
        url, json={"on": today, "hours": 4, "channel": "classroom"}, headers=as_(INSTITUTION)
    )
    assert classroom.json()["attended_hours"] == 5.5
    # The channel decides who may record it.
    problem(
        await client.post(
            url, json={"on": today, "hours": 1, "channel": "classroom"}, headers=as_(W)
        ),
        403,
        "forbidden",
    )
    problem(
        await client.post(
            url, json={"on": today, "hours": 1, "channel": "app"}, headers=as_(INSTITUTION)
        ),
        403,
        "forbidden",
    )
    problem(
        await client.post(
            url, json={"on": today, "hours": 1, "channel": "app"}, headers=as_(worker(398))
        ),
        404,
        "not_found",
    )
    for hours in (0, 12.5, -1):
        problem(
            await client.post(
                url, json={"on": today, "hours": hours, "channel": "pc"}, headers=as_(W)
            ),
            422,
            "validation_failed",
        )
    outside = (shanghai_today() + dt.timedelta(days=60)).isoformat()
    problem(
        await client.post(url, json={"on": outside, "hours": 1, "channel": "pc"}, headers=as_(W)),
        422,
        "validation_failed",
    )
    problem(
        await client.post(url, json={"on": today, "hours": 1, "channel": "fax"}, headers=as_(W)),
        422,
        "validation_failed",
    )


async def test_completion_needs_enough_hours(client: AsyncClient) -> None:
    order = await make_order(client, W)
    await advance(client, order["id"], "accepted")
    url = f"/v1/orders/{order['id']}/complete"
    today = shanghai_today().isoformat()
    for _ in range(5):
        await client.post(
            f"/v1/orders/{order['id']}/attendance",
            json={"on": today, "hours": 12, "channel": "classroom"},
            headers=as_(INSTITUTION),
        )
    body = problem(await client.post(url, headers=as_(INSTITUTION)), 409, "insufficient_attendance")
    assert body["attended_hours"] == 60
    assert body["required_hours"] == 64
    problem(await client.post(url, headers=as_(W)), 403, "forbidden")
    await client.post(
        f"/v1/orders/{order['id']}/attendance",
        json={"on": today, "hours": 4, "channel": "pc"},
        headers=as_(W),
    )
    done = await client.post(url, headers=as_(INSTITUTION))
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    body = problem(await client.post(url, headers=as_(INSTITUTION)), 409, "invalid_state")
    assert body["current_status"] == "completed"


async def test_evaluation_is_idempotent_and_failing_frees_the_slot(client: AsyncClient) -> None:
    passed = await make_order(client, W)
    await advance(client, passed["id"], "completed")
    url = f"/v1/orders/{passed['id']}/evaluation"
    outcome = {"passed": True, "certificate_number": "JN2026000001", "result_id": 11}
    problem(await client.post(url, json=outcome, headers=as_(INSTITUTION)), 403, "forbidden")
    first = await client.post(url, json=outcome, headers=as_(EVALUATOR))
    assert first.status_code == 200
    assert first.json()["status"] == "certified"
    assert first.json()["certificate_number"] == "JN2026000001"
    assert first.json()["result_id"] == 11
    repeat = await client.post(url, json=outcome, headers=as_(EVALUATOR))
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    body = problem(
        await client.post(url, json={"passed": False, "result_id": 11}, headers=as_(EVALUATOR)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "certified"

    failing = await make_order(client, worker(304))
    await advance(client, failing["id"], "completed")
    fail_url = f"/v1/orders/{failing['id']}/evaluation"
    failed = await client.post(
        fail_url, json={"passed": False, "result_id": 12}, headers=as_(EVALUATOR)
    )
    assert failed.json()["status"] == "failed"
    assert (
        await client.post(fail_url, json={"passed": False, "result_id": 12}, headers=as_(EVALUATOR))
    ).status_code == 200
    # A failed order frees the occupation+level (and the yearly slot) but not the seat.
    assert await _seats(client, failing["offering_id"]) == 29
    again = await make_offering(client)
    assert (await select(client, worker(304), again["id"])).status_code == 201

    selected = await make_order(client, worker(305))
    body = problem(
        await client.post(
            f"/v1/orders/{selected['id']}/evaluation", json=outcome, headers=as_(EVALUATOR)
        ),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "selected"


async def test_full_lifecycle_records_every_transition(client: AsyncClient) -> None:
    order = await make_order(client, W)
    await advance(client, order["id"], "certified")
    events = await _events(client, order["id"])
    assert [(e[0], e[1]) for e in events] == [
        (None, "selected"),
        ("selected", "accepted"),
        ("accepted", "in_training"),
        ("in_training", "completed"),
        ("completed", "certified"),
        ("certified", "certified"),  # the worker confirms delivery: no state change, an event
    ]
    assert [e[3] for e in events[-2:]] == ["evaluator", "worker"]


async def test_reading_orders_is_scoped(client: AsyncClient) -> None:
    mine = await make_order(client, W)
    theirs = await make_order(client, worker(306), unit_code="yanzhou", institution_id=2)
    own = await client.get("/v1/orders", headers=as_(W))
    assert [o["id"] for o in own.json()["items"]] == [mine["id"]]
    problem(await client.get(f"/v1/orders/{theirs['id']}", headers=as_(W)), 404, "not_found")
    institution = await client.get("/v1/orders", headers=as_(INSTITUTION))
    assert [o["id"] for o in institution.json()["items"]] == [mine["id"]]
    unit = await client.get("/v1/orders", headers=as_(YANZHOU))
    assert [o["id"] for o in unit.json()["items"]] == [theirs["id"]]
    problem(await client.get(f"/v1/orders/{mine['id']}", headers=as_(YANZHOU)), 404, "not_found")
    for reader in (CITY, FINANCE, EVALUATOR):
        everything = await client.get("/v1/orders", headers=as_(reader))
        assert {mine["id"], theirs["id"]} <= {o["id"] for o in everything.json()["items"]}
    filtered = await client.get(
        "/v1/orders",
        params={"status": "selected", "offering_id": mine["offering_id"]},
        headers=as_(CITY),
    )
    assert [o["id"] for o in filtered.json()["items"]] == [mine["id"]]
    problem(
        await client.get("/v1/orders", params={"status": "lost"}, headers=as_(CITY)),
        422,
        "validation_failed",
    )
    assert (await client.get(f"/v1/orders/{mine['id']}", headers=as_(RENCHENG))).status_code == 200
