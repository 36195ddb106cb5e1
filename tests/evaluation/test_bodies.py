"""Evaluation bodies: registration, listing, status changes, the demo body."""

from __future__ import annotations

from httpx import AsyncClient

from plumbing.ids import credit_code_check_char
from plumbing.principal import Principal
from services.evaluation.demo import DEMO_BODY_NAME, seed_demo_data
from tests.evaluation.conftest import ADMIN, EVALUATOR, GOVERNMENT, WORKER
from tests.support import as_


def credit_code(first17: str = "91370800MA3D5LT7X") -> str:
    return first17 + credit_code_check_char(first17)


async def test_register_and_list_bodies(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/bodies",
        json={
            "name": "  济宁技师学院评价中心 ",
            "kind": "employer",
            "credit_code": credit_code().lower(),
        },
        headers=as_(GOVERNMENT),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "济宁技师学院评价中心"
    assert body["status"] == "active"
    assert body["credit_code"] == credit_code()
    assert body["id"] != 1
    page = await client.get("/v1/bodies", params={"kind": "employer"}, headers=as_(WORKER))
    assert [b["id"] for b in page.json()["items"]] == [body["id"]]
    everything = await client.get("/v1/bodies", headers=as_(EVALUATOR))
    assert everything.json()["total"] == 2
    assert everything.json()["items"][0]["name"] == DEMO_BODY_NAME


async def test_credit_code_is_validated_and_unique(client: AsyncClient) -> None:
    bad = await client.post(
        "/v1/bodies",
        json={"name": "x", "kind": "third_party", "credit_code": "91370800MA3D5LT7X0"},
        headers=as_(ADMIN),
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_credit_code"
    cooperative = credit_code("N2370800MA3D5LT7X")  # letter-led codes are valid GB 32100
    first = await client.post(
        "/v1/bodies",
        json={"name": "a", "kind": "third_party", "credit_code": cooperative},
        headers=as_(ADMIN),
    )
    assert first.status_code == 201, first.text
    again = await client.post(
        "/v1/bodies",
        json={"name": "b", "kind": "third_party", "credit_code": cooperative},
        headers=as_(ADMIN),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


async def test_bad_kind_is_validation_failed(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/bodies", json={"name": "x", "kind": "school"}, headers=as_(ADMIN)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_only_government_or_admin_register(client: AsyncClient) -> None:
    for who in (WORKER, EVALUATOR, Principal(id=6, role="finance")):
        response = await client.post(
            "/v1/bodies", json={"name": "x", "kind": "employer"}, headers=as_(who)
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


async def test_listing_needs_a_principal(client: AsyncClient) -> None:
    response = await client.get("/v1/bodies")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_status_transitions(client: AsyncClient) -> None:
    created = await client.post(
        "/v1/bodies", json={"name": "x", "kind": "employer"}, headers=as_(ADMIN)
    )
    body_id = created.json()["id"]
    suspended = await client.post(
        f"/v1/bodies/{body_id}/suspend", json={"reason": "整改"}, headers=as_(GOVERNMENT)
    )
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "整改"
    twice = await client.post(
        f"/v1/bodies/{body_id}/suspend", json={"reason": "again"}, headers=as_(GOVERNMENT)
    )
    assert twice.status_code == 409
    assert twice.json()["current_status"] == "suspended"
    reinstated = await client.post(f"/v1/bodies/{body_id}/reinstate", headers=as_(GOVERNMENT))
    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "active"
    revoked = await client.post(
        f"/v1/bodies/{body_id}/revoke", json={"reason": "退出"}, headers=as_(GOVERNMENT)
    )
    assert revoked.json()["status"] == "revoked"
    final = await client.post(f"/v1/bodies/{body_id}/reinstate", json={}, headers=as_(GOVERNMENT))
    assert final.status_code == 409
    assert final.json()["current_status"] == "revoked"
    by_evaluator = await client.post(
        f"/v1/bodies/{body_id}/suspend", json={"reason": "x"}, headers=as_(EVALUATOR)
    )
    assert by_evaluator.status_code == 403
    missing = await client.post(
        "/v1/bodies/99999/suspend", json={"reason": "x"}, headers=as_(ADMIN)
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_demo_seed_is_idempotent(client: AsyncClient) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    for _ in range(2):
        async with app.state.sessionmaker() as session:
            await seed_demo_data(session)
    page = await client.get("/v1/bodies", headers=as_(ADMIN))
    demo = [b for b in page.json()["items"] if b["id"] == 1]
    assert page.json()["total"] == 1
    assert demo[0]["name"] == DEMO_BODY_NAME
    assert demo[0]["kind"] == "third_party"
    # The id sequence moved past the seeded row: the next body gets a fresh id.
    created = await client.post(
        "/v1/bodies", json={"name": "x", "kind": "employer"}, headers=as_(ADMIN)
    )
    assert created.status_code == 201
    assert created.json()["id"] > 1
