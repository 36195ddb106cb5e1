"""Worker profiles and the eligibility pre-check."""

from __future__ import annotations

import datetime as dt

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from services.enrolment.eligibility.rules import RULE_VERSION
from tests.enrolment.helpers import (
    CITY,
    INSTITUTION,
    id_number,
    make_offering,
    make_profile,
    problem,
    profile_body,
    select,
    worker,
)
from tests.support import as_

W = worker(101)


async def test_profile_is_stored_and_shown_masked(client: AsyncClient) -> None:
    body = profile_body(123, phone="+86 138-1234-5678")
    response = await client.put("/v1/workers/me/profile", json=body, headers=as_(W))
    assert response.status_code == 200, response.text
    profile = response.json()
    number = body["id_number"]
    assert profile["worker_id"] == W.id
    assert profile["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert profile["phone_masked"] == "138****5678"
    assert profile["name"] == "王小明"
    assert profile["birth_date"] == "1990-01-01"
    assert profile["sex"] == "male"  # serial 123: odd 17th digit
    today = dt.date.today()
    assert profile["age"] == today.year - 1990 - ((today.month, today.day) < (1, 1))
    assert profile["group"] == "unemployed"
    assert profile["receives_pension"] is False
    again = await client.get("/v1/workers/me/profile", headers=as_(W))
    assert again.status_code == 200
    assert again.json() == profile


async def test_personal_data_is_encrypted_at_rest(client: AsyncClient) -> None:
    body = profile_body(124)
    await client.put("/v1/workers/me/profile", json=body, headers=as_(W))
    async with client._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        row = (await session.execute(text("SELECT * FROM worker_profiles"))).mappings().one()
    stored = " ".join(str(v) for v in row.values())
    assert body["id_number"] not in stored
    assert "13812345678" not in stored
    assert "王小明" not in stored
    assert row["sex"] == "female"


async def test_profile_can_be_updated_but_not_its_id_number(client: AsyncClient) -> None:
    await make_profile(client, W, 125)
    updated = await client.put(
        "/v1/workers/me/profile",
        json=profile_body(125, group="veteran", unit_code="qufu"),
        headers=as_(W),
    )
    assert updated.status_code == 200
    assert updated.json()["group"] == "veteran"
    assert updated.json()["unit_code"] == "qufu"
    problem(
        await client.put("/v1/workers/me/profile", json=profile_body(126), headers=as_(W)),
        409,
        "conflict",
    )


async def test_second_worker_cannot_claim_the_same_id_number(client: AsyncClient) -> None:
    await make_profile(client, W, 127)
    body = problem(
        await client.put(
            "/v1/workers/me/profile", json=profile_body(127), headers=as_(worker(102))
        ),
        409,
        "id_number_taken",
    )
    assert str(W.id) not in body["detail"]
    missing = await client.get("/v1/workers/me/profile", headers=as_(worker(102)))
    problem(missing, 404, "not_found")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", "370811199001011230", "invalid_id_number"),  # wrong check character
        ("id_number", "37081119901301123X", "invalid_id_number"),  # no 13th month
        ("phone", "12345", "invalid_phone"),
        ("unit_code", "atlantis", "unknown_unit"),
        ("group", "astronaut", "validation_failed"),
        ("name", "   ", "validation_failed"),
    ],
)
async def test_bad_profile_data_is_refused(
    client: AsyncClient, field: str, value: str, code: str
) -> None:
    body = profile_body(128, **{field: value})
    response = await client.put("/v1/workers/me/profile", json=body, headers=as_(W))
    problem(response, 422, code)
    assert "370811199001011230" not in response.text or field != "id_number"


async def test_only_workers_have_profiles(client: AsyncClient) -> None:
    response = await client.put("/v1/workers/me/profile", json=profile_body(129), headers=as_(CITY))
    problem(response, 403, "forbidden")


async def test_calls_without_the_internal_token_are_refused(client: AsyncClient) -> None:
    response = await client.get(
        "/v1/workers/me/profile", headers={"x-internal-token": "wrong", **as_(W)}
    )
    problem(response, 401, "unauthorized")
    no_principal = await client.get("/v1/workers/me/profile", headers={"x-principal": ""})
    problem(no_principal, 401, "unauthorized")


async def test_eligibility_lists_every_reason(client: AsyncClient) -> None:
    url = "/v1/workers/me/eligibility"
    none = await client.get(url, headers=as_(W))
    assert none.json()["eligible"] is False
    assert none.json()["reasons"] == [
        {"code": "profile_required", "clause": "DESIGN 实名登记", "detail": "请先完成实名登记。"}
    ]
    await make_profile(client, W, 130)
    ok = await client.get(url, params={"occupation_code": "4-10-01-05", "level": 5}, headers=as_(W))
    assert ok.json()["eligible"] is True
    assert ok.json()["reasons"] == []
    assert ok.json()["rule_version"] == RULE_VERSION

    offering = await make_offering(client)
    assert (await select(client, W, offering["id"])).status_code == 201
    held = await client.get(
        url, params={"occupation_code": "4-10-01-05", "level": 5}, headers=as_(W)
    )
    assert [r["code"] for r in held.json()["reasons"]] == ["occupation_level_already_subsidised"]
    for level in (4, 3):
        other = await make_offering(client, level=level)
        assert (await select(client, W, other["id"])).status_code == 201
    capped = await client.get(url, headers=as_(W))
    assert capped.json()["eligible"] is False
    assert [r["code"] for r in capped.json()["reasons"]] == ["yearly_cap_reached"]


async def test_pensioners_and_children_are_not_eligible(client: AsyncClient) -> None:
    await make_profile(client, W, 131, receives_pension=True)
    pensioner = await client.get("/v1/workers/me/eligibility", headers=as_(W))
    assert [r["code"] for r in pensioner.json()["reasons"]] == ["pensioner"]
    child = worker(103)
    young = (dt.date.today() - dt.timedelta(days=365 * 10)).strftime("%Y%m%d")
    await make_profile(client, child, id_number=id_number(132, birth=young))
    minor = await client.get("/v1/workers/me/eligibility", headers=as_(child))
    assert minor.json()["eligible"] is False
    assert minor.json()["reasons"][0]["code"] == "under_minimum_age"
    assert "年满16周岁" in minor.json()["reasons"][0]["detail"]


async def test_eligibility_is_for_workers(client: AsyncClient) -> None:
    problem(
        await client.get("/v1/workers/me/eligibility", headers=as_(INSTITUTION)), 403, "forbidden"
    )
