"""Reconciliation finds every planted defect and nothing else; finance reads a source's
entries for a period (what the exports are made of)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from plumbing.clock import shanghai_today
from tests.enrolment.helpers import CITY, FINANCE, advance, make_order, problem, worker
from tests.enrolment.payments import approve, client_with, deposit, review
from tests.support import as_


@pytest.fixture
async def client(enrolment_url: str) -> AsyncIterator[AsyncClient]:
    async with client_with(enrolment_url) as c:
        yield c


async def _report(client: AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/funds/reconciliation", headers=as_(FINANCE))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _plant(client: AsyncClient, *statements: str) -> None:
    async with client._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        for statement in statements:
            await session.execute(text(statement))
        await session.commit()


async def _claim(client: AsyncClient, n: int) -> dict[str, Any]:
    order = await make_order(client, worker(n))
    return await advance(client, order["id"], "claimed")


async def test_every_planted_defect_is_found_and_nothing_else(client: AsyncClient) -> None:
    await deposit(client, 2_000_000)
    await deposit(client, 30_000, "entrepreneurship")
    paid = await _claim(client, 7001)
    await approve(client, paid["id"])
    await client.post(f"/v1/claims/{paid['id']}/pay", headers=as_(FINANCE))
    held = await _claim(client, 7002)
    await approve(client, held["id"])
    submitted = await _claim(client, 7003)
    rejected = await _claim(client, 7004)
    await approve(client, rejected["id"])
    await client.post(
        f"/v1/claims/{rejected['id']}/reject", json={"reason": "重复"}, headers=as_(CITY)
    )
    clawed = await _claim(client, 7005)
    await approve(client, clawed["id"])
    await client.post(f"/v1/claims/{clawed['id']}/pay", headers=as_(FINANCE))
    await client.post(
        f"/v1/claims/{clawed['id']}/claw-back", json={"reason": "证书撤销"}, headers=as_(FINANCE)
    )
    reviewed_only = await _claim(client, 7006)
    await review(client, reviewed_only["id"])
    certified = await make_order(client, worker(7007))
    await advance(client, certified["id"], "certified")

    clean = await _report(client)
    assert clean == {"consistent": True, "breaks": []}

    await _plant(
        client,
        # 1. an order marked claimed with no claim behind it
        f"UPDATE orders SET status = 'claimed' WHERE id = {certified['id']}",
        # 2. a paid claim whose order is not paid
        f"UPDATE orders SET status = 'certified' WHERE id = {paid['order_id']}",
        # 3. a claim for more than its order's subsidy
        f"UPDATE claims SET amount_fen = amount_fen + 1 WHERE id = {submitted['id']}",
        # 4. a balance that is not its entries
        "UPDATE fund_balances SET balance_fen = balance_fen + 1 WHERE source = 'entrepreneurship'",
        # 5. held money that no pending hold explains
        "UPDATE fund_balances SET held_fen = held_fen + 5 WHERE source = 'special_training'",
        # 6. a payment booked for a claim that was never paid
        "INSERT INTO ledger_entries (txn_id, account, source, amount_fen, kind, claim_id,"
        f" created_at) VALUES ('planted6', 'payable:institution:1', 'special_training', 9,"
        f" 'payment', {reviewed_only['id']}, CURRENT_TIMESTAMP),"
        " ('planted6', 'external:special_training', 'special_training', -9, 'payment',"
        f" {reviewed_only['id']}, CURRENT_TIMESTAMP)",
        # 7. a journal that does not balance
        "INSERT INTO ledger_entries (txn_id, account, source, amount_fen, kind, created_at)"
        " VALUES ('planted7', 'external:employee_education', 'employee_education', 3,"
        " 'deposit', CURRENT_TIMESTAMP)",
        # 8. an approved claim whose hold was voided
        f"UPDATE fund_holds SET status = 'voided' WHERE claim_id = {held['id']}",
    )
    report = await _report(client)
    assert report["consistent"] is False
    found = sorted((b["kind"], b["ref"]) for b in report["breaks"])
    assert found == sorted(
        [
            ("order_without_claim", f"order:{certified['id']}"),
            ("claim_order_mismatch", f"claim:{paid['id']}"),
            ("claim_amount_mismatch", f"claim:{submitted['id']}"),
            ("balance_mismatch", "source:entrepreneurship"),
            # 5 and 8 both leave special_training's held money unexplained: one break
            ("held_mismatch", "source:special_training"),
            ("payment_without_paid_claim", f"claim:{reviewed_only['id']}"),
            ("unbalanced_journal", "txn:planted7"),
            ("hold_mismatch", f"claim:{held['id']}"),
        ]
    )
    problem(await client.get("/v1/funds/reconciliation", headers=as_(worker(1))), 403, "forbidden")


async def test_entries_of_a_source_and_period(client: AsyncClient) -> None:
    await deposit(client, 1_000)
    await deposit(client, 2_000, "entrepreneurship")
    today = shanghai_today()
    day = today.isoformat()
    response = await client.get(
        "/v1/funds/ledger/period",
        params={"from_on": day, "to_on": day, "source": "entrepreneurship"},
        headers=as_(FINANCE),
    )
    assert response.status_code == 200, response.text
    assert [(e["account"], e["amount_fen"]) for e in response.json()] == [
        ("special:entrepreneurship", 2_000),
        ("external:entrepreneurship", -2_000),
    ]
    everything = await client.get(
        "/v1/funds/ledger/period", params={"from_on": day, "to_on": day}, headers=as_(FINANCE)
    )
    assert len(everything.json()) == 4
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    earlier = await client.get(
        "/v1/funds/ledger/period",
        params={"from_on": yesterday, "to_on": yesterday},
        headers=as_(FINANCE),
    )
    assert earlier.json() == []
    problem(
        await client.get(
            "/v1/funds/ledger/period",
            params={"from_on": day, "to_on": yesterday},
            headers=as_(FINANCE),
        ),
        422,
        "validation_failed",
    )
    problem(
        await client.get(
            "/v1/funds/ledger/period", params={"from_on": day, "to_on": day}, headers=as_(CITY)
        ),
        403,
        "forbidden",
    )
