"""The enrolment issue through the gateway: certificates from evaluation feed the rules,
a listing notifies the requester and shows in the demand catalogue, learning from two ends
at once raises a flag that government resolves, and an offering is withdrawn."""

from __future__ import annotations

import datetime as dt

import httpx

from plumbing.clock import SHANGHAI, shanghai_today
from plumbing.principal import Principal
from tests.e2e.client import (
    ELDERLY_CARE,
    approved_class_plan,
    confirm_delivery,
    institution_with_clerk,
    list_offering,
    staff,
    train,
    worker,
)
from tests.stack import RunningStack
from tests.support import internal_headers


async def test_a_held_certificate_excludes_lower_levels_until_revoked(
    stack: RunningStack, gateway: httpx.AsyncClient
) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    institution_id, clerk = await institution_with_clerk(
        officer, [(ELDERLY_CARE, 4), (ELDERLY_CARE, 5)]
    )
    ming = await worker(gateway)
    level4 = await list_offering(officer, institution_id, level=4, hours=16)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": level4["id"]})
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    await approved_class_plan(clerk, officer, level4)
    await train(clerk, order["id"], 16)
    await clerk.ok("POST", f"/orders/{order['id']}/complete")
    result = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 90},
    )

    level5 = await list_offering(officer, institution_id, level=5)
    pre = await ming.ok("GET", "/me/eligibility", params={"offering_id": level5["id"]})
    assert pre["eligible"] is False
    assert [r["code"] for r in pre["reasons"]] == ["certificate_held"]
    assert pre["facts"]["certificates"] == [[ELDERLY_CARE, 4]]
    refused = await ming.call("POST", "/orders", json={"offering_id": level5["id"]})
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_eligible"
    assert refused.json()["reasons"][0]["code"] == "certificate_held"

    # a revoked certificate no longer counts (revocation is evaluation's own call)
    me = await ming.ok("GET", "/me")
    async with httpx.AsyncClient(base_url=stack.urls["evaluation"], timeout=10) as http:
        revoked = await http.post(
            f"/v1/certificates/{result['certificate_number']}/revoke",
            json={"reason": "证书信息有误"},
            headers=internal_headers(Principal(id=1, role="admin")),
        )
        assert revoked.status_code == 200, revoked.text
    again = await ming.ok("POST", "/orders", expect=201, json={"offering_id": level5["id"]})
    assert again["decision_facts"]["certificates"] == []
    assert me["id"] == again["worker_id"]


async def test_listing_notifies_and_counts_in_the_demand_catalogue(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    county = await staff(gateway, "rencheng-officer")
    code = "4-10-01-06"
    institution_id, _ = await institution_with_clerk(officer, [(code, 5)])
    ming = await worker(gateway)
    request = await ming.ok(
        "POST",
        "/requests",
        expect=201,
        json={"occupation_code": code, "level": 5, "unit_code": "rencheng"},
    )
    before = await officer.ok("GET", "/demand-catalogue", params={"occupation_code": code})
    row = next(r for r in before["items"] if r["unit_code"] == "rencheng" and r["level"] == 5)
    assert row["matched"] == 0
    assert row["occupation_name"]
    offering = await list_offering(officer, institution_id, occupation_code=code)
    feed = await ming.ok("GET", "/me/notifications", params={"unread": True})
    assert feed["unread"] == 1
    note = feed["items"][0]
    assert (note["kind"], note["offering_id"], note["request_id"]) == (
        "offering_matched",
        offering["id"],
        request["id"],
    )
    english = await ming.ok("GET", "/me/notifications", headers={"Accept-Language": "en"})
    assert english["items"][0]["title"] == "A subsidised course matches your request"
    await ming.ok("POST", f"/me/notifications/{note['id']}/read")
    assert (await ming.ok("GET", "/me/notifications"))["unread"] == 0
    after = await county.ok("GET", "/demand-catalogue", params={"occupation_code": code})
    row = next(r for r in after["items"] if r["level"] == 5)
    assert row["matched"] == row["requests"] >= 1
    assert {r["unit_code"] for r in after["items"]} == {"rencheng"}
    elsewhere = await county.call("GET", "/demand-catalogue", params={"unit_code": "yanzhou"})
    assert elsewhere.status_code == 403


async def test_two_ends_at_once_are_flagged_and_block_the_claim_until_cleared(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=16)
    ming = await worker(gateway)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    await approved_class_plan(clerk, officer, offering)
    later = shanghai_today() + dt.timedelta(days=5)  # a day without classroom hours
    evening = dt.datetime.combine(later, dt.time(19, 0)).replace(tzinfo=SHANGHAI)
    for channel, start in (("app", evening), ("wechat", evening + dt.timedelta(minutes=30))):
        record = await ming.ok(
            "POST",
            f"/orders/{order['id']}/learning-sessions",
            expect=201,
            json={
                "channel": channel,
                "started_at": start.isoformat(),
                "ended_at": (start + dt.timedelta(hours=1)).isoformat(),
                "device_id": f"{channel}-device",
            },
        )
    assert record["flags"] == ["overlapping_ends"]
    await train(clerk, order["id"], 14)
    await clerk.ok("POST", f"/orders/{order['id']}/complete")
    await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 80},
    )
    await confirm_delivery(ming, order["id"])
    blocked = await clerk.call("POST", f"/orders/{order['id']}/claims")
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "learning_flags_open"
    flags = await officer.ok("GET", "/flags", params={"order_id": order["id"], "status": "open"})
    assert [f["kind"] for f in flags["items"]] == ["overlapping_ends"]
    await officer.ok(
        "POST",
        f"/flags/{flags['items'][0]['id']}/resolve",
        json={"resolution": "cleared", "reason": "核实：同一人切换设备"},
    )
    await clerk.ok("POST", f"/orders/{order['id']}/claims", expect=201)
    timeline = await officer.ok("GET", f"/orders/{order['id']}/timeline")
    assert [e["action"] for e in timeline["items"]][-2:] == [
        "confirm delivery",
        "claim the subsidy",
    ]


async def test_withdrawing_an_offering_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, _ = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, capacity=3)
    ming = await worker(gateway)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    done = await officer.ok(
        "POST", f"/offerings/{offering['id']}/withdraw", json={"reason": "教室检修"}
    )
    assert done["orders_cancelled"] == 1
    assert (await ming.ok("GET", f"/orders/{order['id']}"))["status"] == "cancelled"
    kinds = [n["kind"] for n in (await ming.ok("GET", "/me/notifications"))["items"]]
    assert "offering_withdrawn" in kinds
    sweep = await officer.ok("POST", "/maintenance/expire")
    assert set(sweep) == {"orders_expired", "requests_expired"}
