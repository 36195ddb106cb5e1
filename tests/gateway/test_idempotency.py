"""Idempotency records: replay, another body, in flight, and an abandoned in-flight key
taken over after its lease (enrolment is down here, so a call that reaches for it is 503)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlmodel import col

from gateway.idempotency.models import IdempotencyRecord
from gateway.idempotency.service import IN_FLIGHT_LEASE_S, _hash
from plumbing.clock import utcnow
from tests.gateway.conftest import login

PAY = "/v1/claims/1/pay"


async def _record(gw: AsyncClient, account_id: int, key: str, **fields: Any) -> None:
    async with gw._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        session.add(
            IdempotencyRecord(
                account_id=account_id,
                key=key,
                method="POST",
                path=PAY,
                request_hash=fields.pop("request_hash", _hash("POST", PAY, None)),
                **fields,
            )
        )
        await session.commit()


async def _keys(gw: AsyncClient, key: str) -> list[IdempotencyRecord]:
    async with gw._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stmt = select(IdempotencyRecord).where(col(IdempotencyRecord.key) == key)
        return list((await session.execute(stmt)).scalars())


async def test_stored_answers_other_bodies_and_keys_in_flight(gw: AsyncClient) -> None:
    auth = await login(gw, "finance-officer")
    me = (await gw.get("/api/v1/me", headers=auth)).json()["id"]
    await _record(
        gw, me, "key-done-0001", state="done", response_status=200, response_body={"id": 1}
    )
    replay = await gw.post(
        "/api/v1/claims/1/pay", headers=auth | {"Idempotency-Key": "key-done-0001"}
    )
    assert (replay.status_code, replay.json()) == (200, {"id": 1})
    assert replay.headers["idempotent-replayed"] == "true"
    other = await gw.post(
        "/api/v1/claims/2/pay", headers=auth | {"Idempotency-Key": "key-done-0001"}
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")

    await _record(gw, me, "key-busy-0001", created_at=utcnow())
    busy = await gw.post(
        "/api/v1/claims/1/pay", headers=auth | {"Idempotency-Key": "key-busy-0001"}
    )
    assert (busy.status_code, busy.json()["code"]) == (409, "request_in_progress")
    assert busy.headers["retry-after"] == "1"
    assert len(await _keys(gw, "key-busy-0001")) == 1


async def test_an_abandoned_key_is_taken_over_after_its_lease(gw: AsyncClient) -> None:
    auth = await login(gw, "finance-officer")
    me = (await gw.get("/api/v1/me", headers=auth)).json()["id"]
    long_ago = utcnow() - dt.timedelta(seconds=IN_FLIGHT_LEASE_S + 5)
    await _record(gw, me, "key-stale-001", created_at=long_ago)
    retried = await gw.post(
        "/api/v1/claims/1/pay", headers=auth | {"Idempotency-Key": "key-stale-001"}
    )
    # it reached for enrolment (down): the key is free again, not stuck in flight
    assert (retried.status_code, retried.json()["code"]) == (503, "service_unavailable")
    assert await _keys(gw, "key-stale-001") == []


async def test_after_a_timeout_the_key_stays_uncertain(gw: AsyncClient) -> None:
    """A 504 may have landed: the key is not freed. A repeat of a deposit (which cannot tell
    its own landed attempt) is 409 `outcome_unknown`; a repeat of a payment goes out again
    (its settle step tells), and a failure of that repeat keeps the key uncertain."""
    auth = await login(gw, "finance-officer")
    me = (await gw.get("/api/v1/me", headers=auth)).json()["id"]
    body = {"source": "special_training", "amount_fen": 100000, "reference": None}
    deposit_hash = _hash("POST", "/v1/funds/deposits", body)
    async with gw._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        session.add(
            IdempotencyRecord(
                account_id=me,
                key="key-unsure-dep",
                method="POST",
                path="/v1/funds/deposits",
                request_hash=deposit_hash,
                state="uncertain",
            )
        )
        await session.commit()
    unsure = await gw.post(
        "/api/v1/funds/deposits", json=body, headers=auth | {"Idempotency-Key": "key-unsure-dep"}
    )
    assert unsure.status_code == 409, unsure.text
    assert unsure.json()["code"] == "outcome_unknown"
    assert unsure.headers["content-type"].startswith("application/problem+json")
    assert [r.state for r in await _keys(gw, "key-unsure-dep")] == ["uncertain"]

    await _record(gw, me, "key-unsure-pay", state="uncertain")
    retried = await gw.post(
        "/api/v1/claims/1/pay", headers=auth | {"Idempotency-Key": "key-unsure-pay"}
    )
    # it went out again (enrolment is down here), and the key is still uncertain, not freed
    assert (retried.status_code, retried.json()["code"]) == (503, "service_unavailable")
    assert [r.state for r in await _keys(gw, "key-unsure-pay")] == ["uncertain"]
