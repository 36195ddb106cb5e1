"""Order 5 under concurrent requests, with real commits, on PostgreSQL and SQLite: a source
is never over-committed, a claim is paid once, and a batch interrupted half-way pays each
claim exactly once when retried."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.db import make_engine
from services.enrolment.audit.service import verify
from services.enrolment.ledger.check import ledger_check
from services.enrolment.main import create_app
from tests.enrolment.helpers import CITY, FINANCE, FINANCE_2, advance, make_order, worker
from tests.enrolment.payments import approve, deposit, review, settings
from tests.support import as_, committed_client


@pytest.fixture
async def fresh(backend: str, database_factory: Any) -> AsyncIterator[tuple[AsyncClient, str]]:
    """A client with real commits on a database of its own; notice off, batches slowed."""
    url: str = await database_factory("enrolment", backend)
    app = create_app(settings(payment_batch_delay_ms=150), db_url=url)
    async with committed_client(app, url) as client:
        yield client, url


async def _scalar(url: str, sql: str) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def _books_hold(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            session = AsyncSession(bind=conn)
            books = await ledger_check(session)
            chain = await verify(session, settings().audit_key)
    finally:
        await engine.dispose()
    assert books.balanced, books
    assert chain.ok, chain


def _codes(responses: list[Any]) -> Counter[str]:
    return Counter(
        str(r.status_code) if r.status_code < 400 else r.json()["code"] for r in responses
    )


async def _claims(client: AsyncClient, first: int, n: int) -> list[dict[str, Any]]:
    claims = []
    for i in range(n):
        order = await make_order(client, worker(first + i))
        claims.append(await advance(client, order["id"], "claimed"))
    return claims


async def test_concurrent_approvals_never_overcommit_a_source(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    claims = await _claims(client, 6000, 10)
    amount = claims[0]["amount_fen"]
    await deposit(client, 4 * amount + amount // 2)  # just enough for four of ten
    for c in claims:
        await review(client, c["id"])
    responses = await asyncio.gather(
        *(client.post(f"/v1/claims/{c['id']}/approve", headers=as_(CITY)) for c in claims)
    )
    assert _codes(responses) == {"200": 4, "insufficient_funds": 6}
    row = await _scalar(
        url, "SELECT balance_fen - held_fen FROM fund_balances WHERE source = 'special_training'"
    )
    assert row == amount // 2
    assert await _scalar(url, "SELECT count(*) FROM fund_holds WHERE status = 'pending'") == 4
    assert await _scalar(url, "SELECT count(*) FROM claims WHERE status = 'approved'") == 4
    await _books_hold(url)


async def test_ten_finance_officers_pay_one_claim(fresh: tuple[AsyncClient, str]) -> None:
    client, url = fresh
    await deposit(client, 1_000_000)
    [claim] = await _claims(client, 3000, 1)
    await approve(client, claim["id"])
    payers = [FINANCE.model_copy(update={"id": 7000 + i}) for i in range(10)]
    responses = await asyncio.gather(
        *(client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(p)) for p in payers)
    )
    assert _codes(responses) == {"200": 1, "already_paid": 9}
    balance = await _scalar(
        url, "SELECT balance_fen FROM fund_balances WHERE source = 'special_training'"
    )
    assert balance == 1_000_000 - claim["amount_fen"]
    assert (
        await _scalar(url, f"SELECT count(*) FROM ledger_entries WHERE claim_id = {claim['id']}")
        == 2
    )
    paid = await client.get(f"/v1/orders/{claim['order_id']}", headers=as_(CITY))
    assert paid.json()["status"] == "paid"
    await _books_hold(url)


async def test_a_batch_interrupted_half_way_pays_each_claim_once(
    fresh: tuple[AsyncClient, str],
) -> None:
    client, url = fresh
    await deposit(client, 10_000_000)
    claims = await _claims(client, 8000, 6)
    for c in claims:
        await approve(client, c["id"])
    # one already paid by someone else: the batch reports it, never pays it twice
    await client.post(f"/v1/claims/{claims[5]['id']}/pay", headers=as_(FINANCE_2))
    body = {"key": "batch-2026-11-a", "claim_ids": [c["id"] for c in claims]}

    run = asyncio.create_task(client.post("/v1/claims/pay-batch", json=body, headers=as_(FINANCE)))
    progress: dict[str, Any] = {}
    for _ in range(200):
        await asyncio.sleep(0.05)
        r = await client.get(f"/v1/payment-batches/{body['key']}", headers=as_(FINANCE))
        if r.status_code == 200:
            progress = r.json()
            if progress["paid"] >= 2:
                break
    run.cancel()  # the crash: the request dies half-way through the batch
    with pytest.raises(asyncio.CancelledError):
        await run
    assert 2 <= progress["paid"] < 5
    assert progress["pending"] > 0

    other = await client.post(
        "/v1/claims/pay-batch",
        json={**body, "claim_ids": body["claim_ids"][:2]},
        headers=as_(FINANCE),
    )
    assert other.json()["code"] == "idempotency_key_reused"
    retried = await client.post("/v1/claims/pay-batch", json=body, headers=as_(FINANCE))
    assert retried.status_code == 200, retried.text
    done = retried.json()
    assert (done["total"], done["paid"], done["failed"], done["pending"]) == (6, 5, 1, 0)
    assert done["items"][5] == {
        "claim_id": claims[5]["id"],
        "status": "failed",
        "code": "already_paid",
        "detail": f"claim {claims[5]['id']} has already been paid",
    }
    assert done["finished_at"] is not None
    ids = ",".join(str(c["id"]) for c in claims)
    assert (
        await _scalar(url, f"SELECT count(*) FROM ledger_entries WHERE claim_id IN ({ids})") == 12
    )
    assert (
        await _scalar(url, f"SELECT count(*) FROM claims WHERE id IN ({ids}) AND status = 'paid'")
        == 6
    )
    again = await client.post("/v1/claims/pay-batch", json=body, headers=as_(FINANCE))
    assert again.json()["paid"] == 5
    assert (
        await _scalar(url, f"SELECT count(*) FROM ledger_entries WHERE claim_id IN ({ids})") == 12
    )
    assert (
        await client.get("/v1/payment-batches/nope-nope", headers=as_(FINANCE))
    ).status_code == 404
    await _books_hold(url)
