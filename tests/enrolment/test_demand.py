"""Demand: request states, the notification a listing sends, the demand catalogue, and
withdrawing offerings; listing dates in the past are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
from tests.enrolment.helpers import (
    CITY,
    INSTITUTION,
    RENCHENG,
    id_number,
    make_offering,
    make_order,
    make_profile,
    problem,
    select,
    worker,
)
from tests.support import as_

W = worker(801)
FEED = "/v1/workers/me/notifications"


async def _request(
    client: AsyncClient, who: Principal, level: int = 5, unit: str = "rencheng"
) -> dict[str, Any]:
    body = {"occupation_code": "4-10-01-05", "level": level, "unit_code": unit}
    r = await client.post("/v1/requests", json=body, headers=as_(who))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_listing_matches_open_requests_and_notifies_their_workers(
    client: AsyncClient,
) -> None:
    others = worker(802)
    await make_profile(client, W)
    await make_profile(client, others)
    mine = await _request(client, W)
    await _request(client, W, level=5, unit="yanzhou")  # two requests, one notification
    other_level = await _request(client, others, level=4)
    assert (await client.get(FEED, headers=as_(W))).json()["unread"] == 0

    offering = await make_offering(client)
    feed = (await client.get(FEED, headers=as_(W))).json()
    assert (feed["total"], feed["unread"]) == (1, 1)
    note = feed["items"][0]
    assert note["kind"] == "offering_matched"
    assert note["offering_id"] == offering["id"]
    assert note["read"] is False
    assert "养老护理员" in note["title"] + note["body"]
    en = (await client.get(FEED, headers=as_(W) | {"accept-language": "en"})).json()
    assert en["items"][0]["title"] == "A subsidised course matches your request"
    assert (await client.get(FEED, headers=as_(others))).json()["total"] == 0
    got = (await client.get(f"/v1/requests/{mine['id']}", headers=as_(W))).json()
    assert (got["status"], got["matched_offering_id"]) == ("matched", offering["id"])
    untouched = (await client.get(f"/v1/requests/{other_level['id']}", headers=as_(others))).json()
    assert untouched["status"] == "open"

    read = await client.post(f"{FEED}/{note['id']}/read", headers=as_(W))
    assert read.json()["read"] is True
    assert (await client.get(FEED, params={"unread": True}, headers=as_(W))).json()["total"] == 0
    problem(await client.post(f"{FEED}/{note['id']}/read", headers=as_(others)), 404, "not_found")
    problem(await client.get(FEED, headers=as_(CITY)), 403, "forbidden")

    # selecting fulfils every live request of the worker for that occupation and level
    order = (await select(client, W, offering["id"], request_id=mine["id"])).json()
    got = (await client.get(f"/v1/requests/{mine['id']}", headers=as_(W))).json()
    assert (got["status"], got["order_id"]) == ("fulfilled", order["id"])
    await make_profile(client, worker(803))
    again = await select(client, worker(803), offering["id"], request_id=mine["id"])
    problem(again, 404, "not_found")  # someone else's request


async def test_mark_all_read(client: AsyncClient) -> None:
    await make_profile(client, W)
    await _request(client, W)
    await make_offering(client)
    await make_offering(client)
    marked = await client.post(f"{FEED}/read-all", headers=as_(W))
    assert marked.json() == {"marked": 2}
    assert (await client.get(FEED, headers=as_(W))).json()["unread"] == 0


async def test_withdrawing_a_request(client: AsyncClient) -> None:
    await make_profile(client, W)
    request = await _request(client, W)
    url = f"/v1/requests/{request['id']}/withdraw"
    problem(await client.post(url, headers=as_(worker(899))), 404, "not_found")
    problem(await client.post(url, headers=as_(CITY)), 403, "forbidden")
    withdrawn = await client.post(url, headers=as_(W))
    assert withdrawn.json()["status"] == "withdrawn"
    assert (
        problem(await client.post(url, headers=as_(W)), 409, "invalid_state")["current_status"]
        == "withdrawn"
    )
    offering = await make_offering(client)
    assert (await client.get(FEED, headers=as_(W))).json()["total"] == 0
    problem(await select(client, W, offering["id"], request_id=request["id"]), 409, "invalid_state")


async def test_the_demand_catalogue_counts_live_requests_and_matches(client: AsyncClient) -> None:
    for n in range(3):
        who = worker(810 + n)
        await make_profile(client, who)
        await _request(client, who, level=5)
    yz = worker(820)
    await make_profile(client, yz)
    await _request(client, yz, level=4, unit="yanzhou")
    gone = worker(821)
    await make_profile(client, gone)
    withdrawn = await _request(client, gone, level=4, unit="yanzhou")
    await client.post(f"/v1/requests/{withdrawn['id']}/withdraw", headers=as_(gone))

    url = "/v1/requests/aggregates"
    before = (await client.get(url, headers=as_(CITY))).json()
    assert before["items"] == [
        {
            "occupation_code": "4-10-01-05",
            "level": 5,
            "unit_code": "rencheng",
            "requests": 3,
            "matched": 0,
            "unmatched": 3,
        },
        {
            "occupation_code": "4-10-01-05",
            "level": 4,
            "unit_code": "yanzhou",
            "requests": 1,
            "matched": 0,
            "unmatched": 1,
        },
    ]
    await make_offering(client, level=5)
    after = (await client.get(url, headers=as_(CITY))).json()
    assert after["items"][0]["matched"] == 3
    assert (after["total_requests"], after["total_matched"]) == (4, 3)
    county = (await client.get(url, headers=as_(RENCHENG))).json()
    assert [r["unit_code"] for r in county["items"]] == ["rencheng"]
    filtered = (await client.get(url, params={"level": 4}, headers=as_(CITY))).json()
    assert [r["level"] for r in filtered["items"]] == [4]
    problem(await client.get(url, headers=as_(W)), 403, "forbidden")


async def test_withdrawing_an_offering_cancels_open_orders_and_tells_the_workers(
    client: AsyncClient,
) -> None:
    offering = await make_offering(client, capacity=5)
    selected = await make_order(client, W, offering)
    accepted = await make_order(client, worker(831), offering)
    await client.post(f"/v1/orders/{accepted['id']}/accept", headers=as_(INSTITUTION))
    url = f"/v1/offerings/{offering['id']}/withdraw"
    problem(await client.post(url, json={}, headers=as_(CITY)), 422, "validation_failed")
    problem(
        await client.post(url, json={"reason": "x"}, headers=as_(INSTITUTION)), 403, "forbidden"
    )
    done = await client.post(url, json={"reason": "培训场地被征用"}, headers=as_(CITY))
    assert done.status_code == 200, done.text
    assert done.json()["orders_cancelled"] == 2
    assert done.json()["offering"]["status"] == "withdrawn"
    assert done.json()["offering"]["seats_taken"] == 0  # both seats were given back
    assert done.json()["offering"]["seats_left"] == 0  # and none can be taken any more
    for order_id in (selected["id"], accepted["id"]):
        got = (await client.get(f"/v1/orders/{order_id}", headers=as_(CITY))).json()
        assert (got["status"], got["reason"]) == ("cancelled", "培训场地被征用")
    note = (await client.get(FEED, headers=as_(W))).json()["items"][0]
    assert note["kind"] == "offering_withdrawn"
    assert "培训场地被征用" in note["body"]
    await make_profile(client, worker(833))
    late = await select(client, worker(833), offering["id"])
    assert problem(late, 409, "invalid_state")["current_status"] == "withdrawn"
    again = await client.post(url, json={"reason": "x"}, headers=as_(CITY))
    assert problem(again, 409, "invalid_state")["current_status"] == "withdrawn"


async def test_withdrawing_the_matching_offering_unmatches_requests(client: AsyncClient) -> None:
    await make_profile(client, W)
    request = await _request(client, W)
    first = await make_offering(client)
    second = await make_offering(client)
    url = f"/v1/requests/{request['id']}"
    assert (await client.get(url, headers=as_(W))).json()["matched_offering_id"] == second["id"]
    await client.post(
        f"/v1/offerings/{second['id']}/withdraw", json={"reason": "停办"}, headers=as_(CITY)
    )
    got = (await client.get(url, headers=as_(W))).json()
    assert (got["status"], got["matched_offering_id"]) == ("matched", first["id"])
    await client.post(
        f"/v1/offerings/{first['id']}/withdraw", json={"reason": "停办"}, headers=as_(CITY)
    )
    got = (await client.get(url, headers=as_(W))).json()
    assert (got["status"], got["matched_offering_id"]) == ("open", None)
    catalogue = (await client.get("/v1/requests/aggregates", headers=as_(CITY))).json()
    assert (catalogue["total_requests"], catalogue["total_matched"]) == (1, 0)


async def test_listing_in_the_past_is_refused(client: AsyncClient) -> None:
    yesterday = (shanghai_today() - dt.timedelta(days=1)).isoformat()
    r = await client.post(
        "/v1/offerings",
        json={
            "institution_id": 1,
            "institution_name": "济宁市技工学校",
            "occupation_code": "4-10-01-05",
            "occupation_name": "养老护理员",
            "level": 5,
            "unit_code": "rencheng",
            "capacity": 30,
            "hours": 80,
            "starts_on": yesterday,
            "ends_on": shanghai_today().isoformat(),
            "subsidy_fen": 1,
            "catalogue_item_id": 1,
        },
        headers=as_(CITY),
    )
    problem(r, 422, "date_in_past")


async def test_group_facts_are_kept_on_the_profile(client: AsyncClient) -> None:
    profile = await make_profile(
        client,
        W,
        group="veteran",
        discharged_on="2025-06-30",
        registered_poor=True,
        unemployment_insurance_months=3,
    )
    assert (profile["discharged_on"], profile["registered_poor"]) == ("2025-06-30", True)
    assert profile["unemployment_insurance_months"] == 3
    future = (shanghai_today() + dt.timedelta(days=1)).isoformat()
    bad = await client.put(
        "/v1/workers/me/profile",
        json={
            "id_number": id_number(840),
            "name": "王小明",
            "phone": "13812345678",
            "unit_code": "rencheng",
            "group": "veteran",
            "receives_pension": False,
            "discharged_on": future,
        },
        headers=as_(worker(840)),
    )
    assert problem(bad, 422, "validation_failed")["detail"].startswith("discharged_on")
