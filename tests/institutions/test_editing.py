"""Editing the institution catalogue: who may change what, approvals with validity periods,
the public entry against the full record, and the history of every change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from httpx import AsyncClient

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
from tests.institutions.conftest import CITY, RENCHENG, WORKER, institution_body
from tests.support import as_


def clerk_of(institution_id: int) -> Principal:
    return Principal(id=500 + institution_id, role="institution", institution_id=institution_id)


async def register(client: AsyncClient, n: int, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/institutions", json=institution_body(n, **overrides), headers=as_(CITY)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_government_edits_and_the_history_keeps_old_and_new(client: AsyncClient) -> None:
    inst = await register(client, 1, contact_name="李老师", contact_phone="13800138000")
    response = await client.patch(
        f"/v1/institutions/{inst['id']}",
        json={
            "address": "任城区建设路88号",
            "licence_number": "鲁人社培字001号",
            "licence_issued_on": "2024-01-01",
            "licence_expires_on": "2028-12-31",
            "yearly_capacity": 1200,
            "kind": "enterprise",
            "reason": "年检更新",
        },
        headers=as_(RENCHENG),
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["kind"], edited["yearly_capacity"], edited["licence_expires_on"]) == (
        "enterprise",
        1200,
        "2028-12-31",
    )
    assert edited["contact_name"] == "李老师"  # not sent, not changed

    events = (await client.get(f"/v1/institutions/{inst['id']}/events", headers=as_(CITY))).json()[
        "items"
    ]
    edit = events[-1]
    assert (edit["action"], edit["actor_id"], edit["reason"]) == ("edit", RENCHENG.id, "年检更新")
    assert edit["details"]["kind"] == ["private", "enterprise"]
    assert edit["details"]["yearly_capacity"] == [None, 1200]
    assert "contact_name" not in edit["details"]

    backwards = await client.patch(
        f"/v1/institutions/{inst['id']}",
        json={"licence_issued_on": "2029-01-01"},
        headers=as_(CITY),
    )
    assert backwards.status_code == 422
    assert (await client.get(f"/v1/institutions/{inst['id']}", headers=as_(CITY))).json()[
        "licence_issued_on"
    ] == "2024-01-01"


async def test_county_officers_manage_only_their_own_unit(client: AsyncClient) -> None:
    qufu = await register(client, 2, unit_code="qufu")
    for method, path, body in (
        ("PATCH", "", {"address": "曲阜"}),
        ("PATCH", "/contact", {"contact_name": "王"}),
        ("POST", "/approvals", {"occupation_code": "6-31-01-03", "level": 4}),
        ("POST", "/suspend", {"reason": "检查"}),
        (
            "POST",
            "/inspections",
            {"inspected_on": "2026-01-05", "findings": "x", "severity": "minor"},
        ),
        (
            "POST",
            "/designations",
            {"kind": "skill_base", "tier": "city", "awarded_on": "2025-01-01"},
        ),
    ):
        response = await client.request(
            method, f"/v1/institutions/{qufu['id']}{path}", json=body, headers=as_(RENCHENG)
        )
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == "forbidden"
    events = await client.get(f"/v1/institutions/{qufu['id']}/events", headers=as_(RENCHENG))
    assert events.status_code == 403
    history = await client.get(f"/v1/institutions/{qufu['id']}/events", headers=as_(CITY))
    assert [e["action"] for e in history.json()["items"]] == ["register"]


async def test_institution_staff_edit_only_their_own_contact(client: AsyncClient) -> None:
    own = await register(client, 3)
    other = await register(client, 4)
    clerk = clerk_of(own["id"])

    mine = await client.patch(
        f"/v1/institutions/{own['id']}/contact",
        json={"contact_name": "张老师", "contact_phone": "139 0013 9000"},
        headers=as_(clerk),
    )
    assert mine.status_code == 200, mine.text
    assert (mine.json()["contact_name"], mine.json()["contact_phone"]) == ("张老师", "13900139000")

    theirs = await client.patch(
        f"/v1/institutions/{other['id']}/contact",
        json={"contact_name": "冒名"},
        headers=as_(clerk),
    )
    assert theirs.status_code == 403
    # Everything else on the record is government's.
    for path, body in (
        ("", {"name": "改名培训学校"}),
        ("/approvals", {"occupation_code": "6-31-01-03", "level": 4}),
    ):
        refused = await client.request(
            "PATCH" if not path else "POST",
            f"/v1/institutions/{own['id']}{path}",
            json=body,
            headers=as_(clerk),
        )
        assert refused.status_code == 403
    bad_phone = await client.patch(
        f"/v1/institutions/{own['id']}/contact", json={"contact_phone": "12345"}, headers=as_(clerk)
    )
    assert bad_phone.json()["code"] == "invalid_phone"

    # The clerk reads its own full record and history; a worker gets the public entry only.
    full = (await client.get(f"/v1/institutions/{own['id']}", headers=as_(clerk))).json()
    assert full["contact_name"] == "张老师"
    public = (await client.get(f"/v1/institutions/{own['id']}", headers=as_(WORKER))).json()
    assert "contact_name" not in public
    assert "contact_phone" not in public
    events = await client.get(f"/v1/institutions/{own['id']}/events", headers=as_(clerk))
    assert [e["action"] for e in events.json()["items"]] == ["register", "edit_contact"]
    assert (
        await client.get(f"/v1/institutions/{other['id']}/events", headers=as_(clerk))
    ).status_code == 403


async def test_approvals_count_only_within_their_validity(client: AsyncClient) -> None:
    today = shanghai_today()
    inst = await register(
        client,
        5,
        approvals=[
            {"occupation_code": "4-10-01-05", "level": 5},
            {
                "occupation_code": "6-31-01-03",
                "level": 4,
                "valid_from": "2020-01-01",
                "valid_until": (today - dt.timedelta(days=1)).isoformat(),
            },
            {
                "occupation_code": "6-18-02-04",
                "level": 4,
                "valid_from": (today + dt.timedelta(days=10)).isoformat(),
            },
        ],
    )
    assert [a["occupation_code"] for a in inst["approvals"]] == ["4-10-01-05"]
    assert len(inst["approval_records"]) == 3
    search = await client.get("/v1/institutions", params={"occupation_code": "6-31-01-03"})
    assert search.json()["total"] == 0

    renewed = await client.post(
        f"/v1/institutions/{inst['id']}/approvals",
        json={
            "occupation_code": "6-31-01-03",
            "level": 4,
            "valid_until": "2030-12-31",
            "reason": "复审通过",
        },
        headers=as_(CITY),
    )
    assert renewed.status_code == 200, renewed.text
    approvals = {
        (a["occupation_code"], a["valid_from"], a["valid_until"])
        for a in renewed.json()["approvals"]
    }
    assert ("6-31-01-03", "2020-01-01", "2030-12-31") in approvals
    assert (await client.get("/v1/institutions", params={"occupation_code": "6-31-01-03"})).json()[
        "total"
    ] == 1

    withdrawn = await client.post(
        f"/v1/institutions/{inst['id']}/approvals",
        json={
            "occupation_code": "6-31-01-03",
            "level": 4,
            "valid_until": (today - dt.timedelta(days=1)).isoformat(),
            "reason": "撤销该职业培训资质",
        },
        headers=as_(CITY),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert "6-31-01-03" not in {a["occupation_code"] for a in withdrawn.json()["approvals"]}
    events = (await client.get(f"/v1/institutions/{inst['id']}/events", headers=as_(CITY))).json()[
        "items"
    ]
    trade_events = [e for e in events if e["action"] == "approve_trade"]
    assert len(trade_events) == 2
    assert (
        trade_events[0]["details"]["was"]["valid_until"]
        == (today - dt.timedelta(days=1)).isoformat()
    )
    assert trade_events[0]["reason"] == "复审通过"

    backwards = await client.post(
        f"/v1/institutions/{inst['id']}/approvals",
        json={"occupation_code": "6-18-02-04", "level": 4, "valid_until": "2000-01-01"},
        headers=as_(CITY),
    )
    assert backwards.status_code == 422


async def test_public_listing_search_and_filters(client: AsyncClient) -> None:
    await register(client, 6, name="任城区家政培训学校", kind="private")
    await register(client, 7, name="曲阜技工学校", kind="technical_school", unit_code="qufu")
    await register(client, 8, name="邹城家政服务中心", kind="enterprise", unit_code="zoucheng")

    async def names(**params: Any) -> list[str]:
        page = (await client.get("/v1/institutions", params=params, headers=as_(WORKER))).json()
        assert all("contact_phone" not in i and "status_reason" not in i for i in page["items"])
        return [i["name"] for i in page["items"]]

    assert await names(q="家政") == ["任城区家政培训学校", "邹城家政服务中心"]
    assert await names(kind="technical_school") == ["曲阜技工学校"]
    assert await names(unit_code="zoucheng", q="家政") == ["邹城家政服务中心"]
    assert await names(limit=1, offset=1) == ["曲阜技工学校"]
    assert await names(on_watch=True) == []
    bad = await client.get("/v1/institutions", params={"kind": "university"})
    assert bad.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    "body",
    [
        {"yearly_capacity": 0},
        {"licence_issued_on": "2025-01-02", "licence_expires_on": "2025-01-01"},
        {"name": "x"},
        {"kind": "university"},
    ],
)
async def test_bad_edits_are_refused(client: AsyncClient, body: dict[str, Any]) -> None:
    inst = await register(client, 9)
    response = await client.patch(f"/v1/institutions/{inst['id']}", json=body, headers=as_(CITY))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
