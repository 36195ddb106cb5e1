"""Certificates: public verification, listing by worker, revocation, the audit trail."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from plumbing.principal import Principal
from services.evaluation.certificate.numbers import ALPHABET
from services.evaluation.event.models import Event
from tests.evaluation.conftest import ADMIN, EVALUATOR, GOVERNMENT, WORKER, record, result_body
from tests.support import as_


async def issue(client: AsyncClient, order_id: int = 1001, **over: Any) -> str:
    result = await record(client, result_body(order_id, **over))
    number = result["certificate_number"]
    assert isinstance(number, str)
    return number


async def test_number_format_is_unique_and_hard_to_guess(client: AsyncClient) -> None:
    first, second = await issue(client, 1001), await issue(client, 1002)
    pattern = rf"^JN\d{{4}}-\d{{7}}-[{ALPHABET}]{{4}}$"
    assert re.match(pattern, first)
    assert re.match(pattern, second)
    assert first != second


async def test_revoked_certificate_shows_as_revoked(client: AsyncClient) -> None:
    number = await issue(client)
    response = await client.post(
        f"/v1/certificates/{number}/revoke", json={"reason": "考评舞弊"}, headers=as_(GOVERNMENT)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "revoked"
    assert body["revoked_reason"] == "考评舞弊"
    assert body["revoked_at"] is not None
    assert body["worker_id"] == WORKER.id
    verified = await client.get(f"/v1/certificates/{number}")
    assert verified.json()["status"] == "revoked"
    assert "revoked_reason" not in verified.json()  # verification shows the public fields only


async def test_revoking_twice_is_invalid_state(client: AsyncClient) -> None:
    number = await issue(client)
    await client.post(f"/v1/certificates/{number}/revoke", json={"reason": "x"}, headers=as_(ADMIN))
    again = await client.post(
        f"/v1/certificates/{number}/revoke", json={"reason": "y"}, headers=as_(ADMIN)
    )
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"
    assert again.json()["current_status"] == "revoked"


async def test_only_government_or_admin_revoke(client: AsyncClient) -> None:
    number = await issue(client)
    for who in (EVALUATOR, WORKER):
        response = await client.post(
            f"/v1/certificates/{number}/revoke", json={"reason": "x"}, headers=as_(who)
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert (await client.get(f"/v1/certificates/{number}")).json()["status"] == "valid"


async def test_revoke_needs_a_reason(client: AsyncClient) -> None:
    number = await issue(client)
    response = await client.post(
        f"/v1/certificates/{number}/revoke", json={"reason": "  "}, headers=as_(GOVERNMENT)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_unknown_certificate_is_not_found(client: AsyncClient) -> None:
    response = await client.get("/v1/certificates/JN2025-0000000-AAAA")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    revoke = await client.post(
        "/v1/certificates/JN2025-0000000-AAAA/revoke", json={"reason": "x"}, headers=as_(ADMIN)
    )
    assert revoke.status_code == 404
    assert revoke.json()["code"] == "not_found"


async def test_verification_needs_the_internal_token(client: AsyncClient) -> None:
    number = await issue(client)
    del client.headers["x-internal-token"]
    response = await client.get(f"/v1/certificates/{number}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_certificates_listed_for_staff_and_the_worker_itself(client: AsyncClient) -> None:
    number = await issue(client, 1001)
    await issue(client, 1002, worker_id=43)
    for who in (GOVERNMENT, ADMIN, EVALUATOR, WORKER):
        page = await client.get(
            "/v1/certificates", params={"worker_id": WORKER.id}, headers=as_(who)
        )
        assert page.status_code == 200, (who.role, page.text)
        assert [c["number"] for c in page.json()["items"]] == [number]
        assert page.json()["total"] == 1
    own = await client.get("/v1/certificates", headers=as_(WORKER))
    assert [c["number"] for c in own.json()["items"]] == [number]


async def test_others_may_not_list_certificates(client: AsyncClient) -> None:
    other_worker = Principal(id=43, role="worker")
    institution = Principal(id=5, role="institution", institution_id=3)
    finance = Principal(id=6, role="finance")
    for who in (other_worker, institution, finance):
        page = await client.get(
            "/v1/certificates", params={"worker_id": WORKER.id}, headers=as_(who)
        )
        assert page.status_code == 403
        assert page.json()["code"] == "forbidden"


async def test_transitions_are_recorded_with_actor_and_reason(client: AsyncClient) -> None:
    number = await issue(client)
    await client.post(
        f"/v1/certificates/{number}/revoke", json={"reason": "证书造假"}, headers=as_(GOVERNMENT)
    )
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    async with maker() as session:
        events = (
            (
                await session.execute(
                    select(Event).where(col(Event.entity) == "certificate").order_by(col(Event.id))
                )
            )
            .scalars()
            .all()
        )
    assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in events] == [
        (None, "valid", EVALUATOR.id, None),
        ("valid", "revoked", GOVERNMENT.id, "证书造假"),
    ]
