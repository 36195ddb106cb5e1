"""Registering, reading and listing institutions; validation at the door; who may register."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
from tests.institutions.conftest import (
    ADMIN,
    CITY,
    PROBLEM,
    RENCHENG,
    WORKER,
    credit_code,
    institution_body,
)
from tests.support import as_


async def test_register_and_read(client: AsyncClient) -> None:
    body = institution_body(
        1,
        kind="technical_school",
        approvals=[
            {"occupation_code": "4-10-01-05", "level": 5},
            {"occupation_code": "6-31-01-03", "level": 4},
        ],
        address="任城区共青团路1号",
        contact_name="李老师",
        contact_phone="+86 138-0013-8000",
    )
    created = await client.post("/v1/institutions", json=body, headers=as_(CITY))
    assert created.status_code == 201, created.text
    data = created.json()
    public_fields = {
        "id", "name", "credit_code", "kind", "unit_code", "status", "approvals",
        "designations", "rating", "rated_at",
    }  # fmt: skip
    assert set(data) == public_fields | {
        "status_reason", "suspended_until", "address", "contact_name", "contact_phone",
        "licence_number", "licence_issued_on", "licence_expires_on", "yearly_capacity",
        "on_watch", "approval_records", "created_at", "updated_at",
    }  # fmt: skip
    assert data["status"] == "active"
    assert data["contact_phone"] == "13800138000"
    # Approvals sent without dates are in force from today, open-ended.
    today = shanghai_today().isoformat()
    assert data["approvals"] == [
        a | {"valid_from": today, "valid_until": None} for a in body["approvals"]
    ]
    assert data["created_at"].endswith(("Z", "+00:00"))

    # A worker reads the public entry: no contact person, no phone, no internal notes.
    read = await client.get(f"/v1/institutions/{data['id']}", headers=as_(WORKER))
    assert read.status_code == 200
    assert set(read.json()) == public_fields
    assert read.json() == {k: v for k, v in data.items() if k in public_fields}
    assert (await client.get(f"/v1/institutions/{data['id']}", headers=as_(CITY))).json() == data

    events = await client.get(f"/v1/institutions/{data['id']}/events", headers=as_(CITY))
    assert [(e["action"], e["to_status"], e["actor_id"]) for e in events.json()["items"]] == [
        ("register", "active", CITY.id)
    ]


async def test_reads_need_no_principal(client: AsyncClient) -> None:
    created = (
        await client.post("/v1/institutions", json=institution_body(2), headers=as_(CITY))
    ).json()
    assert (await client.get(f"/v1/institutions/{created['id']}")).status_code == 200
    listed = await client.get("/v1/institutions")
    assert listed.status_code == 200
    assert listed.json()["total"] == 1


async def test_letter_led_credit_code_of_a_farmers_cooperative(client: AsyncClient) -> None:
    code = credit_code(3, prefix="N2370828MA")
    body = institution_body(3, credit_code=code.lower(), unit_code="jinxiang")
    response = await client.post("/v1/institutions", json=body, headers=as_(CITY))
    assert response.status_code == 201, response.text
    assert response.json()["credit_code"] == code


async def test_bad_check_character_is_invalid_credit_code(client: AsyncClient) -> None:
    good = credit_code(4)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = await client.post(
        "/v1/institutions", json=institution_body(4, credit_code=bad), headers=as_(CITY)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid_credit_code"


async def test_unknown_unit(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/institutions", json=institution_body(5, unit_code="beijing"), headers=as_(CITY)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_unit"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"kind": "university"}, "validation_failed"),
        ({"name": " "}, "validation_failed"),
        ({"approvals": [{"occupation_code": "4-10-01-05", "level": 6}]}, "validation_failed"),
        ({"approvals": [{"occupation_code": "养老", "level": 5}]}, "validation_failed"),
        (
            {"approvals": [{"occupation_code": "X-1", "level": 5}] * 2},
            "validation_failed",
        ),
        ({"contact_phone": "12345"}, "invalid_phone"),
    ],
)
async def test_bad_input_is_refused(
    client: AsyncClient, override: dict[str, object], code: str
) -> None:
    response = await client.post(
        "/v1/institutions", json=institution_body(6, **override), headers=as_(CITY)
    )
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert (await client.get("/v1/institutions")).json()["total"] == 0


async def test_duplicate_credit_code_is_conflict(client: AsyncClient) -> None:
    first = await client.post("/v1/institutions", json=institution_body(7), headers=as_(CITY))
    assert first.status_code == 201
    spaced = " ".join(credit_code(7))  # the same code, written differently
    again = await client.post(
        "/v1/institutions",
        json=institution_body(8, credit_code=spaced, name="另一个名字"),
        headers=as_(CITY),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert (await client.get("/v1/institutions")).json()["total"] == 1


async def test_unit_scoped_officer_registers_in_own_unit_only(client: AsyncClient) -> None:
    own = await client.post("/v1/institutions", json=institution_body(9), headers=as_(RENCHENG))
    assert own.status_code == 201
    other = await client.post(
        "/v1/institutions", json=institution_body(10, unit_code="qufu"), headers=as_(RENCHENG)
    )
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    "principal", [WORKER, Principal(id=5, role="institution", institution_id=1)]
)
async def test_only_government_or_admin_registers(
    client: AsyncClient, principal: Principal
) -> None:
    response = await client.post(
        "/v1/institutions", json=institution_body(11), headers=as_(principal)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    admin = await client.post("/v1/institutions", json=institution_body(11), headers=as_(ADMIN))
    assert admin.status_code == 201


async def test_registering_needs_a_principal(client: AsyncClient) -> None:
    response = await client.post("/v1/institutions", json=institution_body(12))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    "path", ["/v1/institutions", "/v1/institutions/1", "/v1/catalogue/items", "/v1/units"]
)
async def test_no_internal_token_is_401(client: AsyncClient, path: str) -> None:
    response = await client.get(path, headers={"x-internal-token": "wrong"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_missing_institution_is_not_found(client: AsyncClient) -> None:
    response = await client.get("/v1/institutions/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def _seed_three(client: AsyncClient) -> list[dict[str, object]]:
    bodies = [
        institution_body(21, name="任城家政培训学校", unit_code="rencheng"),
        institution_body(
            22,
            name="曲阜电工技能学校",
            unit_code="qufu",
            approvals=[
                {"occupation_code": "6-31-01-03", "level": 4},
                {"occupation_code": "6-31-01-03", "level": 3},
            ],
        ),
        institution_body(
            23,
            name="任城100%_技工学校",
            unit_code="rencheng",
            kind="technical_school",
            approvals=[{"occupation_code": "6-31-01-03", "level": 3}],
        ),
    ]
    made = []
    for body in bodies:
        response = await client.post("/v1/institutions", json=body, headers=as_(CITY))
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


async def _names(client: AsyncClient, **params: object) -> list[str]:
    response = await client.get("/v1/institutions", params=params)
    assert response.status_code == 200, response.text
    return [i["name"] for i in response.json()["items"]]


async def test_list_filters(client: AsyncClient) -> None:
    a, b, c = await _seed_three(client)
    assert await _names(client, unit_code="rencheng") == [a["name"], c["name"]]
    assert await _names(client, occupation_code="6-31-01-03", level=3) == [b["name"], c["name"]]
    assert await _names(client, occupation_code="6-31-01-03", level=4) == [b["name"]]
    assert await _names(client, occupation_code="4-10-01-05", level=4) == []
    assert await _names(client, q="电工") == [b["name"]]
    # LIKE wildcards in q are matched literally
    assert await _names(client, q="%_") == [c["name"]]
    await client.post(
        f"/v1/institutions/{b['id']}/suspend", json={"reason": "检查"}, headers=as_(CITY)
    )
    assert await _names(client, status="suspended") == [b["name"]]
    assert await _names(client, status="active", unit_code="rencheng", q="家政") == [a["name"]]


async def test_list_bad_filters(client: AsyncClient) -> None:
    unknown = await client.get("/v1/institutions", params={"unit_code": "nowhere"})
    assert unknown.json()["code"] == "unknown_unit"
    for params in ({"status": "closed"}, {"level": 0}, {"limit": 201}, {"offset": -1}):
        response = await client.get("/v1/institutions", params=params)
        assert response.status_code == 422, params
        assert response.json()["code"] == "validation_failed"


async def test_pagination(client: AsyncClient) -> None:
    made = await _seed_three(client)
    first = (await client.get("/v1/institutions", params={"limit": 2})).json()
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [i["id"] for i in first["items"]] == [m["id"] for m in made[:2]]
    rest = (await client.get("/v1/institutions", params={"limit": 2, "offset": 2})).json()
    assert [i["id"] for i in rest["items"]] == [made[2]["id"]]
    assert rest["items"][0]["approvals"] == made[2]["approvals"]
