"""The exit mechanism: active → suspended → active, → revoked (final), recorded as events."""

from __future__ import annotations

import datetime as dt

import pytest
from httpx import AsyncClient

from plumbing.principal import Principal
from tests.institutions.conftest import ADMIN, CITY, RENCHENG, WORKER, institution_body
from tests.support import as_


async def _register(client: AsyncClient, n: int = 1, unit_code: str = "rencheng") -> int:
    response = await client.post(
        "/v1/institutions", json=institution_body(n, unit_code=unit_code), headers=as_(CITY)
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_suspend_reinstate_revoke(client: AsyncClient) -> None:
    iid = await _register(client)
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    suspended = await client.post(
        f"/v1/institutions/{iid}/suspend",
        json={"reason": "开班计划未报备", "until": until},
        headers=as_(CITY),
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "开班计划未报备"
    assert suspended.json()["suspended_until"] == until

    reinstated = await client.post(f"/v1/institutions/{iid}/reinstate", headers=as_(RENCHENG))
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json()["status"] == "active"
    assert reinstated.json()["suspended_until"] is None

    revoked = await client.post(
        f"/v1/institutions/{iid}/revoke", json={"reason": "绩效评估不合格"}, headers=as_(ADMIN)
    )
    assert revoked.json()["status"] == "revoked"
    assert (await client.get(f"/v1/institutions/{iid}")).json()["status"] == "revoked"

    events = (await client.get(f"/v1/institutions/{iid}/events", headers=as_(CITY))).json()
    assert [
        (e["action"], e["from_status"], e["to_status"], e["actor_id"], e["actor_role"], e["reason"])
        for e in events["items"]
    ] == [
        ("register", None, "active", CITY.id, "government", None),
        ("suspend", "active", "suspended", CITY.id, "government", "开班计划未报备"),
        ("reinstate", "suspended", "active", RENCHENG.id, "government", None),
        ("revoke", "active", "revoked", ADMIN.id, "admin", "绩效评估不合格"),
    ]


async def test_revoke_from_suspended_clears_the_end_date(client: AsyncClient) -> None:
    iid = await _register(client)
    until = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    await client.post(
        f"/v1/institutions/{iid}/suspend",
        json={"reason": "整改", "until": until},
        headers=as_(CITY),
    )
    revoked = await client.post(
        f"/v1/institutions/{iid}/revoke", json={"reason": "整改不到位"}, headers=as_(CITY)
    )
    assert revoked.status_code == 200
    assert (revoked.json()["status"], revoked.json()["suspended_until"]) == ("revoked", None)


@pytest.mark.parametrize(
    ("setup", "action", "current"),
    [
        ([], "reinstate", "active"),
        (["suspend"], "suspend", "suspended"),
        (["revoke"], "revoke", "revoked"),
        (["revoke"], "reinstate", "revoked"),
        (["revoke"], "suspend", "revoked"),
        (["suspend", "revoke"], "reinstate", "revoked"),
    ],
)
async def test_wrong_state_is_invalid_state(
    client: AsyncClient, setup: list[str], action: str, current: str
) -> None:
    iid = await _register(client)
    for step in setup:
        done = await client.post(
            f"/v1/institutions/{iid}/{step}", json={"reason": "x"}, headers=as_(CITY)
        )
        assert done.status_code == 200
    response = await client.post(
        f"/v1/institutions/{iid}/{action}", json={"reason": "again"}, headers=as_(CITY)
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_state"
    assert body["current_status"] == current
    assert (await client.get(f"/v1/institutions/{iid}")).json()["status"] == current


async def test_unit_scoped_officer_acts_on_own_unit_only(client: AsyncClient) -> None:
    iid = await _register(client, unit_code="qufu")
    response = await client.post(
        f"/v1/institutions/{iid}/suspend", json={"reason": "x"}, headers=as_(RENCHENG)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    events = await client.get(f"/v1/institutions/{iid}/events", headers=as_(RENCHENG))
    assert events.status_code == 403
    assert (await client.get(f"/v1/institutions/{iid}")).json()["status"] == "active"


@pytest.mark.parametrize(
    "principal",
    [
        WORKER,
        Principal(id=7, role="finance"),
        Principal(id=8, role="evaluator", evaluation_body_id=1),
    ],
)
async def test_only_government_or_admin_transitions(
    client: AsyncClient, principal: Principal
) -> None:
    iid = await _register(client)
    response = await client.post(
        f"/v1/institutions/{iid}/revoke", json={"reason": "x"}, headers=as_(principal)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_transition_of_missing_institution_is_not_found(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/institutions/999999/suspend", json={"reason": "x"}, headers=as_(CITY)
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("suspend", {}),
        ("suspend", {"reason": "  "}),
        ("suspend", {"reason": "x", "until": "2000-01-01"}),
        ("suspend", {"reason": "x", "until": "not-a-date"}),
        ("revoke", {}),
    ],
)
async def test_transition_bodies_are_validated(
    client: AsyncClient, action: str, body: dict[str, str]
) -> None:
    iid = await _register(client)
    response = await client.post(f"/v1/institutions/{iid}/{action}", json=body, headers=as_(CITY))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert (await client.get(f"/v1/institutions/{iid}")).json()["status"] == "active"


async def test_status_alone_follows_every_transition(client: AsyncClient) -> None:
    """`GET /v1/institutions/{id}/status` (the gateway's check before a selection or an
    acceptance) says what the whole record says, and not_found the same way."""
    iid = await _register(client)

    async def status() -> str:
        alone = await client.get(f"/v1/institutions/{iid}/status", headers=as_(WORKER))
        assert alone.status_code == 200, alone.text
        whole = await client.get(f"/v1/institutions/{iid}", headers=as_(WORKER))
        assert alone.json() == {"id": iid, "status": whole.json()["status"]}
        return str(alone.json()["status"])

    assert await status() == "active"
    await client.post(
        f"/v1/institutions/{iid}/suspend", json={"reason": "开班计划未报备"}, headers=as_(CITY)
    )
    assert await status() == "suspended"
    await client.post(f"/v1/institutions/{iid}/revoke", json={"reason": "x"}, headers=as_(ADMIN))
    assert await status() == "revoked"

    missing = await client.get("/v1/institutions/999999/status", headers=as_(WORKER))
    whole = await client.get("/v1/institutions/999999", headers=as_(WORKER))
    assert missing.status_code == whole.status_code == 404
    # The same problem, but for the path it names.
    per_request = {"instance": None, "request_id": None}
    assert missing.json() | per_request == whole.json() | per_request
    assert missing.json()["code"] == "not_found"
