"""The institution catalogue, the versioned training catalogues and supervision, through the
gateway with the services over real HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from plumbing.clock import shanghai_today
from tests.e2e.client import (
    ELDERLY_CARE,
    Api,
    approved_class_plan,
    institution_with_clerk,
    list_offering,
    staff,
    worker,
)

SECURITY_GUARD = "4-07-05-01"  # 保安员, in the general catalogue only
COURIER = "4-02-02-01"  # 快递员


async def subsidy(api: Api, code: str, level: int, as_of: str | None = None) -> int:
    params: dict[str, Any] = {"occupation_code": code, "level": level}
    if as_of:
        params["as_of"] = as_of
    page = await api.ok("GET", "/catalogue/items", params=params)
    fen: int = page["items"][0]["subsidy_fen"]
    return fen


async def latest_version(api: Api) -> dict[str, Any]:
    page = await api.ok("GET", "/catalogue/versions", params={"limit": 1})
    version: dict[str, Any] = page["items"][0]
    return version


async def test_an_offering_keeps_the_subsidy_in_force_when_it_was_listed(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, _ = await institution_with_clerk(officer, [(SECURITY_GUARD, 5)])
    before = await subsidy(officer, SECURITY_GUARD, 5)
    old_offering = await list_offering(officer, institution_id, SECURITY_GUARD, 5)
    assert old_offering["subsidy_fen"] == before

    today = shanghai_today().isoformat()
    version = await officer.ok(
        "POST",
        "/catalogue/versions",
        expect=201,
        json={
            "effective_on": today,
            "note": "保安员补贴标准上调",
            "items": [
                {
                    "catalogue": "general",
                    "occupation_code": SECURITY_GUARD,
                    "occupation_name": "保安员",
                    "level": 5,
                    "training_types": ["employment_skills", "pre_job"],
                    "standard_hours": 80,
                    "subsidy_fen": before + 5000,
                    "industry": "安保服务",
                }
            ],
        },
    )
    assert version["changed"] == 1
    assert await subsidy(officer, SECURITY_GUARD, 5) == before + 5000
    assert await subsidy(officer, SECURITY_GUARD, 5, as_of="2019-06-01") == 100000

    new_offering = await list_offering(officer, institution_id, SECURITY_GUARD, 5)
    assert new_offering["subsidy_fen"] == before + 5000
    # The offering listed before the change keeps its standard.
    assert (await officer.ok("GET", f"/offerings/{old_offering['id']}"))["subsidy_fen"] == before

    past = await officer.call(
        "POST",
        "/catalogue/versions",
        json={"effective_on": "2020-01-01", "retire": []},
    )
    assert past.json()["code"] == "version_out_of_order"
    county = await staff(gateway, "rencheng-officer")
    refused = await county.call(
        "POST", "/catalogue/versions", json={"effective_on": today, "retire": []}
    )
    assert refused.status_code == 403


async def test_a_catalogue_upload_is_applied_whole_or_not_at_all(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    ming = await worker(gateway)
    current = await latest_version(officer)
    exported = await officer.call(
        "GET", f"/catalogue/versions/{current['number']}/export", expect=200
    )
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    courier = next(i for i, r in enumerate(rows) if r[1] == COURIER and r[3] == "5")
    before_items = await ming.ok("GET", "/catalogue/items", params={"limit": 200})

    bad = [list(r) for r in rows]
    bad[courier][6] = str(int(bad[courier][6]) + 100)  # a good change ...
    bad[2][3] = "0"  # ... and a bad level in row 3
    bad[3][6] = "many"  # ... and a subsidy that is no number in row 4
    response = await upload(officer, bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "catalogue_import_invalid"
    assert {(e["row"], e["column"]) for e in problem["errors"]} == {
        (3, "level"),
        (4, "subsidy_fen"),
    }
    assert (await latest_version(officer))["number"] == current["number"]
    assert await ming.ok("GET", "/catalogue/items", params={"limit": 200}) == before_items

    good = [list(r) for r in rows]
    good[courier][6] = str(int(good[courier][6]) + 100)
    published = await upload(officer, good)
    assert published.status_code == 201, published.text
    assert (published.json()["source"], published.json()["changed"]) == ("csv", 1)
    assert await subsidy(ming, COURIER, 5) == int(rows[courier][6]) + 100

    xlsx = await officer.call(
        "GET",
        f"/catalogue/versions/{published.json()['number']}/export",
        params={"format": "xlsx"},
        expect=200,
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == len(rows)


async def upload(officer: Api, rows: list[list[str]]) -> httpx.Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return await officer.call(
        "POST",
        "/catalogue/versions/import",
        files={"file": ("catalogue.csv", out.getvalue().encode("utf-8-sig"), "text/csv")},
        data={"effective_on": shanghai_today().isoformat(), "note": "e2e"},
    )


async def test_attendance_waits_for_an_approved_class_plan(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    _, other_clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=16)
    ming = await worker(gateway)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    hours = {"on": offering["starts_on"], "hours": 8, "channel": "classroom"}

    refused = await clerk.call("POST", f"/orders/{order['id']}/attendance", json=hours)
    assert refused.status_code == 409
    assert refused.json()["code"] == "class_plan_not_approved"

    start = dt.date.fromisoformat(offering["starts_on"])
    body = {
        "teaching_plan": "理论8学时，实操8学时",
        "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
        "sessions": [{"on": start.isoformat(), "hours": 8}],
    }
    short = await clerk.call("POST", f"/offerings/{offering['id']}/class-plan", json=body)
    assert short.json()["code"] == "class_plan_invalid"
    body["sessions"].append({"on": (start + dt.timedelta(days=1)).isoformat(), "hours": 8})
    intruder = await other_clerk.call("POST", f"/offerings/{offering['id']}/class-plan", json=body)
    assert intruder.status_code == 404  # another institution's offering is not even visible

    filed = await clerk.ok("POST", f"/offerings/{offering['id']}/class-plan", json=body)
    assert filed["status"] == "submitted"
    assert [r["order_id"] for r in filed["roster"]] == [order["id"]]
    queue = await officer.ok("GET", "/class-plans", params={"status": "submitted"})
    assert offering["id"] in [p["offering_id"] for p in queue["items"]]
    returned = await officer.ok(
        "POST", f"/offerings/{offering['id']}/class-plan/return", json={"reason": "缺少实操场地"}
    )
    assert returned["status"] == "returned"
    still = await ming.call(
        "POST", f"/orders/{order['id']}/attendance", json=hours | {"channel": "wechat"}
    )
    assert still.json()["code"] == "class_plan_not_approved"

    await approved_class_plan(clerk, officer, offering)
    await clerk.ok("POST", f"/orders/{order['id']}/attendance", expect=201, json=hours)
    await ming.ok(
        "POST",
        f"/orders/{order['id']}/attendance",
        expect=201,
        json=hours | {"channel": "wechat"},
    )
    completed = await clerk.ok("POST", f"/orders/{order['id']}/complete")
    assert completed["status"] == "completed"
    history = await clerk.ok("GET", f"/institutions/{institution_id}/events")
    assert [e["action"] for e in history["items"]][-4:] == [
        "class_plan_filed",
        "class_plan_returned",
        "class_plan_filed",
        "class_plan_approved",
    ]


async def test_suspended_and_revoked_institutions_take_no_orders(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id)
    ming, hong, li = [await worker(gateway) for _ in range(3)]
    ming_order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    hong_order = await hong.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    await clerk.ok("POST", f"/orders/{hong_order['id']}/accept")

    until = (shanghai_today() + dt.timedelta(days=30)).isoformat()
    suspended = await officer.ok(
        "POST",
        f"/institutions/{institution_id}/suspend",
        json={"reason": "检查发现虚假签到", "until": until},
    )
    assert (suspended["status"], suspended["suspended_until"]) == ("suspended", until)
    no_seat = await li.call("POST", "/orders", json={"offering_id": offering["id"]})
    assert no_seat.status_code == 409
    assert no_seat.json()["code"] == "institution_inactive"
    assert (await li.ok("GET", "/orders"))["total"] == 0

    revoked = await officer.ok(
        "POST", f"/institutions/{institution_id}/revoke", json={"reason": "弄虚作假套取补贴"}
    )
    assert revoked["status"] == "revoked"
    affected = {o["id"]: o["status"] for o in revoked["affected_orders"]}
    assert affected == {ming_order["id"]: "selected", hong_order["id"]: "accepted"}
    listed = await officer.ok("GET", f"/institutions/{institution_id}/open-orders")
    assert {o["id"] for o in listed["items"]} == set(affected)

    for call in (
        clerk.call("POST", f"/orders/{ming_order['id']}/accept"),
        li.call("POST", "/orders", json={"offering_id": offering["id"]}),
        officer.call(
            "POST",
            "/offerings",
            json={
                "institution_id": institution_id,
                "occupation_code": ELDERLY_CARE,
                "level": 5,
                "unit_code": "rencheng",
                "capacity": 5,
                "hours": 40,
                "starts_on": offering["starts_on"],
                "ends_on": offering["ends_on"],
            },
        ),
    ):
        response = await call
        assert response.status_code == 409
        assert response.json()["code"] == "institution_inactive"
    final = await officer.call("POST", f"/institutions/{institution_id}/reinstate", json={})
    assert final.json()["current_status"] == "revoked"
    history = await officer.ok("GET", f"/institutions/{institution_id}/events")
    assert [(e["action"], e["actor_role"]) for e in history["items"]] == [
        ("register", "government"),
        ("suspend", "government"),
        ("revoke", "government"),
    ]


async def test_scopes_views_inspections_and_the_watch_list(gateway: httpx.AsyncClient) -> None:
    city = await staff(gateway, "city-officer")
    county = await staff(gateway, "rencheng-officer")
    qufu_id, _ = await institution_with_clerk(city, [(ELDERLY_CARE, 5)], unit_code="qufu")
    own_id, clerk = await institution_with_clerk(county, [(ELDERLY_CARE, 5)])
    ming = await worker(gateway)

    assert (
        await county.call("PATCH", f"/institutions/{qufu_id}", json={"address": "x"})
    ).status_code == 403
    edited = await county.ok(
        "PATCH", f"/institutions/{own_id}", json={"yearly_capacity": 800, "reason": "核定规模"}
    )
    assert edited["yearly_capacity"] == 800
    contact = await clerk.ok(
        "PATCH",
        f"/institutions/{own_id}/contact",
        json={"contact_name": "张老师", "contact_phone": "13900139000"},
    )
    assert contact["contact_phone"] == "13900139000"
    assert (
        await clerk.call("PATCH", f"/institutions/{qufu_id}/contact", json={"contact_name": "x"})
    ).status_code == 403
    assert (
        await clerk.call("PATCH", f"/institutions/{own_id}", json={"name": "改名学校"})
    ).status_code == 403
    public = await ming.ok("GET", f"/institutions/{own_id}")
    assert "contact_phone" not in public
    assert public["approvals"][0]["occupation_code"] == ELDERLY_CARE

    await city.ok(
        "POST",
        f"/institutions/{qufu_id}/designations",
        expect=201,
        json={"kind": "skill_base", "tier": "national", "awarded_on": "2025-01-01"},
    )
    await city.ok(
        "POST",
        f"/institutions/{qufu_id}/inspections",
        expect=201,
        json={
            "inspected_on": shanghai_today().isoformat(),
            "findings": "无培训场地，学员名册造假",
            "severity": "critical",
        },
    )
    assert (
        await county.call(
            "POST",
            f"/institutions/{qufu_id}/inspections",
            json={"inspected_on": "2026-01-01", "findings": "x", "severity": "minor"},
        )
    ).status_code == 403
    assert (await county.call("POST", "/supervision/ratings")).status_code == 403
    ratings = await city.ok("POST", "/supervision/ratings", expect=201)
    rated = {r["institution_id"]: r for r in ratings["items"]}
    assert rated[qufu_id]["on_watch"] is True
    watch = await city.ok("GET", "/supervision/watch-list")
    assert qufu_id in [w["institution_id"] for w in watch]
    assert qufu_id not in [
        w["institution_id"] for w in await county.ok("GET", "/supervision/watch-list")
    ]
    shown = await ming.ok("GET", f"/institutions/{qufu_id}")
    assert shown["rating"] == rated[qufu_id]["score"]
    assert shown["status"] == "active"  # a proposal for government, not a suspension
    assert [d["tier"] for d in shown["designations"]] == ["national"]
    assert (await ming.call("GET", "/supervision/watch-list")).status_code == 403
