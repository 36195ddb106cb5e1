"""Supervision in the institutions service: class-start plans, designations, inspections,
the performance rating and the watch list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from httpx import AsyncClient

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
from tests.institutions.conftest import CITY, RENCHENG, WORKER, institution_body
from tests.support import as_

OFFERING = 41


def clerk_of(institution_id: int) -> Principal:
    return Principal(id=700 + institution_id, role="institution", institution_id=institution_id)


async def register(client: AsyncClient, n: int, unit_code: str = "rencheng") -> int:
    response = await client.post(
        "/v1/institutions", json=institution_body(n, unit_code=unit_code), headers=as_(CITY)
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def plan(institution_id: int, **overrides: Any) -> dict[str, Any]:
    start = shanghai_today()
    return {
        "institution_id": institution_id,
        "unit_code": "rencheng",
        "offering_starts_on": start.isoformat(),
        "offering_ends_on": (start + dt.timedelta(days=10)).isoformat(),
        "offering_hours": 16,
        "teaching_plan": "理论8学时，实操8学时",
        "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
        "sessions": [
            {"on": (start + dt.timedelta(days=d)).isoformat(), "hours": 8} for d in (0, 1)
        ],
        "roster": [{"order_id": 9, "worker_id": 3, "worker_name_masked": "王*明"}],
    } | overrides


async def test_a_plan_is_filed_returned_refiled_and_approved(client: AsyncClient) -> None:
    iid = await register(client, 1)
    clerk = clerk_of(iid)
    status = await client.get(f"/v1/class-plans/{OFFERING}/status")
    assert status.json() == {"offering_id": OFFERING, "status": None}

    filed = await client.put(f"/v1/class-plans/{OFFERING}", json=plan(iid), headers=as_(clerk))
    assert filed.status_code == 200, filed.text
    assert (filed.json()["status"], filed.json()["planned_hours"]) == ("submitted", 16)
    assert filed.json()["roster"][0]["worker_name_masked"] == "王*明"

    no_reason = await client.post(f"/v1/class-plans/{OFFERING}/return", json={}, headers=as_(CITY))
    assert no_reason.status_code == 422
    returned = await client.post(
        f"/v1/class-plans/{OFFERING}/return", json={"reason": "师资证书不全"}, headers=as_(CITY)
    )
    assert (returned.json()["status"], returned.json()["reason"]) == ("returned", "师资证书不全")
    again = await client.post(f"/v1/class-plans/{OFFERING}/approve", headers=as_(CITY))
    assert again.status_code == 409
    assert again.json()["current_status"] == "returned"

    trainers = [
        {"name": "李红", "certificate_number": "S370800202100123"},
        {"name": "赵强", "certificate_number": "S370800201900456"},
    ]
    refiled = await client.put(
        f"/v1/class-plans/{OFFERING}", json=plan(iid, trainers=trainers), headers=as_(clerk)
    )
    assert (refiled.json()["status"], refiled.json()["reason"]) == ("submitted", None)
    approved = await client.post(f"/v1/class-plans/{OFFERING}/approve", headers=as_(RENCHENG))
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", RENCHENG.id)
    assert (await client.get(f"/v1/class-plans/{OFFERING}/status")).json()["status"] == "approved"

    # An approved plan is final.
    late = await client.put(f"/v1/class-plans/{OFFERING}", json=plan(iid), headers=as_(clerk))
    assert late.status_code == 409
    assert late.json()["current_status"] == "approved"
    events = (await client.get(f"/v1/institutions/{iid}/events", headers=as_(CITY))).json()
    assert [e["action"] for e in events["items"]] == [
        "register",
        "class_plan_filed",
        "class_plan_returned",
        "class_plan_filed",
        "class_plan_approved",
    ]
    assert events["items"][2]["reason"] == "师资证书不全"
    queue = await client.get("/v1/class-plans", params={"status": "approved"}, headers=as_(CITY))
    assert [p["offering_id"] for p in queue.json()["items"]] == [OFFERING]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"roster": []}, "roster is empty"),
        ({"offering_hours": 40}, "16 hours planned, the offering has 40"),
        (
            {"sessions": [{"on": "2020-01-01", "hours": 8}, {"on": "2020-01-02", "hours": 8}]},
            "outside",
        ),
        (
            {"sessions": [{"on": shanghai_today().isoformat(), "hours": 9}] * 2},
            "at most 12",
        ),
        (
            {"offering_ends_on": "2020-01-01", "offering_starts_on": "2019-12-01"},
            "started",
        ),
    ],
    ids=["no-roster", "too-few-hours", "outside-dates", "long-day", "started"],
)
async def test_a_plan_that_does_not_fit_is_refused(
    client: AsyncClient, overrides: dict[str, Any], problem: str
) -> None:
    iid = await register(client, 2)
    response = await client.put(
        f"/v1/class-plans/{OFFERING}", json=plan(iid, **overrides), headers=as_(clerk_of(iid))
    )
    assert response.status_code == 409
    assert response.json()["code"] == "class_plan_invalid"
    assert problem in response.json()["detail"]
    assert (await client.get(f"/v1/class-plans/{OFFERING}/status")).json()["status"] is None


async def test_who_files_and_who_decides(client: AsyncClient) -> None:
    iid = await register(client, 3)
    qufu = await register(client, 4, unit_code="qufu")
    other_clerk = await client.put(
        f"/v1/class-plans/{OFFERING}", json=plan(iid), headers=as_(clerk_of(qufu))
    )
    assert other_clerk.status_code == 403
    officer = await client.put(f"/v1/class-plans/{OFFERING}", json=plan(iid), headers=as_(CITY))
    assert officer.status_code == 403

    await client.post(f"/v1/institutions/{iid}/suspend", json={"reason": "整改"}, headers=as_(CITY))
    suspended = await client.put(
        f"/v1/class-plans/{OFFERING}", json=plan(iid), headers=as_(clerk_of(iid))
    )
    assert suspended.json()["code"] == "institution_inactive"
    await client.post(f"/v1/institutions/{iid}/reinstate", headers=as_(CITY))

    qufu_plan = await client.put(
        f"/v1/class-plans/{OFFERING + 1}",
        json=plan(qufu, unit_code="qufu"),
        headers=as_(clerk_of(qufu)),
    )
    assert qufu_plan.status_code == 200
    for who in (RENCHENG, WORKER, clerk_of(qufu)):
        refused = await client.post(f"/v1/class-plans/{OFFERING + 1}/approve", headers=as_(who))
        assert refused.status_code == 403
    assert (
        await client.get(f"/v1/class-plans/{OFFERING + 1}", headers=as_(RENCHENG))
    ).status_code == 403
    assert (
        await client.get(f"/v1/class-plans/{OFFERING + 1}", headers=as_(clerk_of(qufu)))
    ).status_code == 200
    mine = await client.get("/v1/class-plans", headers=as_(clerk_of(qufu)))
    assert [p["offering_id"] for p in mine.json()["items"]] == [OFFERING + 1]
    rencheng_queue = await client.get("/v1/class-plans", headers=as_(RENCHENG))
    assert rencheng_queue.json()["total"] == 0
    missing = await client.post("/v1/class-plans/999/approve", headers=as_(CITY))
    assert missing.json()["code"] == "not_found"


async def test_designations_show_on_the_institution_while_they_hold(client: AsyncClient) -> None:
    iid = await register(client, 5)
    base = await client.post(
        f"/v1/institutions/{iid}/designations",
        json={"kind": "skill_base", "tier": "provincial", "awarded_on": "2025-06-01"},
        headers=as_(CITY),
    )
    assert base.status_code == 201, base.text
    studio = await client.post(
        f"/v1/institutions/{iid}/designations",
        json={
            "kind": "master_studio",
            "master_name": "王建国",
            "occupation_code": "6-18-02-04",
            "awarded_on": "2020-03-01",
            "expires_on": "2023-02-28",
        },
        headers=as_(CITY),
    )
    assert studio.status_code == 201
    incomplete = await client.post(
        f"/v1/institutions/{iid}/designations",
        json={"kind": "master_studio", "awarded_on": "2020-03-01"},
        headers=as_(CITY),
    )
    assert incomplete.status_code == 422
    public = (await client.get(f"/v1/institutions/{iid}", headers=as_(WORKER))).json()
    assert [(d["kind"], d["tier"]) for d in public["designations"]] == [
        ("skill_base", "provincial")
    ]
    events = (await client.get(f"/v1/institutions/{iid}/events", headers=as_(CITY))).json()
    assert [e["action"] for e in events["items"]].count("designate") == 2


def outcome(iid: int, **counts: int) -> dict[str, int]:
    zero = dict.fromkeys(
        (
            "orders_accepted",
            "orders_completed",
            "orders_certified",
            "orders_failed",
            "orders_dropped",
            "claims_total",
            "claims_rejected",
        ),
        0,
    )
    return {"institution_id": iid} | zero | counts


async def test_ratings_and_the_watch_list(client: AsyncClient) -> None:
    good = await register(client, 6)
    poor = await register(client, 7)
    inspected = await register(client, 8, unit_code="qufu")
    quiet = await register(client, 9)
    today = shanghai_today().isoformat()
    inspection = await client.post(
        f"/v1/institutions/{inspected}/inspections",
        json={
            "inspected_on": today,
            "findings": "签到表与实际到课人数不符",
            "severity": "critical",
            "follow_up_due_on": (shanghai_today() + dt.timedelta(days=30)).isoformat(),
        },
        headers=as_(CITY),
    )
    assert inspection.status_code == 201, inspection.text
    future = await client.post(
        f"/v1/institutions/{inspected}/inspections",
        json={"inspected_on": "2999-01-01", "findings": "x", "severity": "minor"},
        headers=as_(CITY),
    )
    assert future.status_code == 422

    run = await client.post(
        "/v1/ratings",
        json={
            "outcomes": [
                outcome(good, orders_accepted=20, orders_completed=19, orders_certified=18,
                        orders_failed=1, orders_dropped=1, claims_total=18),
                outcome(poor, orders_accepted=20, orders_completed=10, orders_certified=4,
                        orders_failed=6, orders_dropped=10, claims_total=10, claims_rejected=4),
                outcome(inspected, orders_accepted=10, orders_completed=10, orders_certified=10,
                        claims_total=10),
            ]
        },
        headers=as_(CITY),
    )  # fmt: skip
    assert run.status_code == 201, run.text
    by_id = {r["institution_id"]: r for r in run.json()["items"]}
    assert by_id[good]["score"] >= 90
    assert not by_id[good]["on_watch"]
    assert by_id[good]["completion_rate"] == 0.95
    assert by_id[poor]["on_watch"]
    assert by_id[poor]["score"] < 60
    assert len(by_id[poor]["watch_reasons"]) == 4  # score, completion, passes, claims
    assert by_id[inspected]["inspection_penalty"] == 30
    assert by_id[inspected]["score"] == 70
    assert by_id[inspected]["on_watch"]
    assert by_id[quiet]["score"] is None
    assert not by_id[quiet]["on_watch"]

    public = (await client.get(f"/v1/institutions/{good}", headers=as_(WORKER))).json()
    assert public["rating"] == by_id[good]["score"]
    watch = (await client.get("/v1/watch-list", headers=as_(CITY))).json()
    assert {w["institution_id"] for w in watch} == {poor, inspected}
    # A proposal, not a suspension.
    assert {w["status"] for w in watch} == {"active"}
    county = (await client.get("/v1/watch-list", headers=as_(RENCHENG))).json()
    assert [w["institution_id"] for w in county] == [poor]
    listed = await client.get("/v1/institutions", params={"on_watch": True}, headers=as_(CITY))
    assert listed.json()["total"] == 2

    for who in (RENCHENG, WORKER):
        assert (
            await client.post("/v1/ratings", json={"outcomes": []}, headers=as_(who))
        ).status_code == 403
    assert (await client.get("/v1/watch-list", headers=as_(WORKER))).status_code == 403
    history = (await client.get(f"/v1/institutions/{poor}/ratings", headers=as_(CITY))).json()
    assert history["total"] == 1
    inspections = await client.get(f"/v1/institutions/{inspected}/inspections", headers=as_(CITY))
    assert [i["severity"] for i in inspections.json()] == ["critical"]
    events = (await client.get(f"/v1/institutions/{inspected}/events", headers=as_(CITY))).json()
    assert [e["action"] for e in events["items"]] == ["register", "inspect", "rated"]
