"""Order 5: claims, approval, payment from the special account, and the ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from services.enrolment.ledger.check import ledger_check
from services.enrolment.ledger.service import DEMO_FUNDS, seed_demo_funds
from tests.enrolment.helpers import (
    ADMIN,
    CITY,
    EVALUATOR,
    FINANCE,
    FINANCE_2,
    INSTITUTION,
    OTHER_INSTITUTION,
    RENCHENG,
    YANZHOU,
    advance,
    make_order,
    problem,
    worker,
)
from tests.enrolment.payments import approve, client_with, review
from tests.support import as_

W = worker(401)


@pytest.fixture
async def client(enrolment_url: str) -> AsyncIterator[AsyncClient]:
    """Public notice off (0 days): these tests go straight from review to approval."""
    async with client_with(enrolment_url) as c:
        yield c


SOURCES = [
    "employment_subsidy",
    "entrepreneurship",
    "special_training",
    "employee_education",
    "unemployment_insurance",
]


async def _deposit(
    client: AsyncClient, amount: int, source: str = "special_training"
) -> dict[str, Any]:
    response = await client.post(
        "/v1/funds/deposits", json={"source": source, "amount_fen": amount}, headers=as_(FINANCE)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _balance(client: AsyncClient, source: str = "special_training") -> int:
    body = (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()
    return next(int(s["balance_fen"]) for s in body["by_source"] if s["source"] == source)


async def _check(client: AsyncClient) -> bool:
    async with client._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        report = await ledger_check(session)
    return report.balanced


async def _approved_claim(client: AsyncClient, who: Any = W) -> dict[str, Any]:
    order = await make_order(client, who)
    claim = await advance(client, order["id"], "claimed")
    return await approve(client, claim["id"])


async def test_balance_lists_all_sources_and_deposits_are_double_entry(client: AsyncClient) -> None:
    empty = await client.get("/v1/funds/balance", headers=as_(CITY))
    assert empty.status_code == 200
    assert [s["source"] for s in empty.json()["by_source"]] == SOURCES
    start = empty.json()["balance_fen"]
    deposit = await _deposit(client, 1_000_000)
    assert deposit["source"] == "special_training"
    assert deposit["amount_fen"] == 1_000_000
    assert deposit["balance_fen"] == await _balance(client)
    await _deposit(client, 5_000, "entrepreneurship")
    after = (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()
    assert after["balance_fen"] == start + 1_005_000
    ledger = await client.get("/v1/funds/ledger", params={"limit": 4}, headers=as_(FINANCE))
    entries = ledger.json()["items"]
    assert sum(e["amount_fen"] for e in entries) == 0
    assert {e["account"] for e in entries} >= {
        "special:entrepreneurship",
        "external:entrepreneurship",
    }
    assert await _check(client)


async def test_fund_calls_are_for_finance(client: AsyncClient) -> None:
    body = {"source": "special_training", "amount_fen": 100}
    for who in (CITY, INSTITUTION, W):
        problem(
            await client.post("/v1/funds/deposits", json=body, headers=as_(who)), 403, "forbidden"
        )
    problem(await client.get("/v1/funds/balance", headers=as_(W)), 403, "forbidden")
    problem(await client.get("/v1/funds/ledger", headers=as_(CITY)), 403, "forbidden")
    for bad in (
        {"source": "lottery", "amount_fen": 1},
        {"source": "special_training", "amount_fen": 0},
    ):
        problem(
            await client.post("/v1/funds/deposits", json=bad, headers=as_(FINANCE)),
            422,
            "validation_failed",
        )


async def test_claim_approve_pay(client: AsyncClient) -> None:
    await _deposit(client, 10_000_000)
    order = await make_order(client, W)
    claim = await advance(client, order["id"], "claimed")
    assert claim["status"] == "submitted"
    assert claim["kind"] == "training"
    assert claim["amount_fen"] == 150_000
    assert claim["funding_source"] == "special_training"
    assert claim["institution_id"] == 1
    assert claim["worker_id"] == W.id
    assert claim["unit_code"] == "rencheng"
    assert claim["order_id"] == order["id"]
    assert claim["approved_by"] is None
    assert claim["paid_by"] is None
    assert claim["paid_at"] is None
    claimed = await client.get(f"/v1/orders/{order['id']}", headers=as_(W))
    assert claimed.json()["status"] == "claimed"
    body = problem(
        await client.post(f"/v1/orders/{order['id']}/claims", headers=as_(INSTITUTION)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "claimed"

    body = problem(
        await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "submitted"
    problem(
        await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(FINANCE)),
        403,
        "forbidden",
    )
    problem(
        await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(YANZHOU)),
        404,
        "not_found",
    )
    body = problem(
        await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(CITY)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "submitted"  # approval needs a review first
    reviewed = await review(client, claim["id"], RENCHENG)
    assert reviewed["status"] == "reviewed"  # notice days 0: no public notice
    assert reviewed["reviewed_by"] == RENCHENG.id
    problem(
        await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(RENCHENG)),
        403,
        "same_person",
    )
    approved = await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(CITY))
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == CITY.id
    body = problem(
        await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(CITY)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "approved"
    held = (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()
    assert held["held_fen"] == 150_000
    assert held["available_fen"] == held["balance_fen"] - 150_000

    before = await _balance(client)
    problem(await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(CITY)), 403, "forbidden")
    paid = await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE))
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert paid.json()["paid_by"] == FINANCE.id
    assert paid.json()["paid_at"] is not None
    assert await _balance(client) == before - 150_000
    problem(
        await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE_2)),
        409,
        "already_paid",
    )
    assert await _balance(client) == before - 150_000
    final = await client.get(f"/v1/orders/{order['id']}", headers=as_(CITY))
    assert final.json()["status"] == "paid"
    entries = (
        await client.get("/v1/funds/ledger", params={"limit": 2}, headers=as_(FINANCE))
    ).json()["items"]
    assert {(e["account"], e["amount_fen"]) for e in entries} == {
        ("special:special_training", -150_000),
        ("payable:institution:1", 150_000),
    }
    assert {e["claim_id"] for e in entries} == {claim["id"]}
    assert await _check(client)


async def test_the_approver_may_not_pay(client: AsyncClient) -> None:
    await _deposit(client, 1_000_000)
    order = await make_order(client, W)
    claim = await advance(client, order["id"], "claimed")
    approver = FINANCE.model_copy(update={"role": "government"})
    await approve(client, claim["id"], approver)
    problem(
        await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE)), 403, "same_person"
    )
    status = (await client.get(f"/v1/claims/{claim['id']}", headers=as_(FINANCE))).json()["status"]
    assert status == "approved"


async def test_insufficient_funds_changes_nothing(client: AsyncClient) -> None:
    order = await make_order(client, W)
    claim = await advance(client, order["id"], "claimed")
    await review(client, claim["id"])
    balance = await _balance(client)
    assert balance < claim["amount_fen"]  # each test starts from an empty account
    problem(
        await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(CITY)),
        409,
        "insufficient_funds",
    )
    after = await client.get(f"/v1/claims/{claim['id']}", headers=as_(FINANCE))
    assert after.json()["status"] == "reviewed"
    assert after.json()["approved_by"] is None
    order_now = await client.get(f"/v1/orders/{claim['order_id']}", headers=as_(CITY))
    assert order_now.json()["status"] == "claimed"
    await _deposit(client, claim["amount_fen"] - balance)
    approved = await client.post(f"/v1/claims/{claim['id']}/approve", headers=as_(CITY))
    assert approved.json()["status"] == "approved"
    paid = await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE))
    assert paid.json()["status"] == "paid"
    assert await _balance(client) == 0
    assert await _check(client)


async def test_reject_claim(client: AsyncClient) -> None:
    await _deposit(client, 1_000_000)
    claim = await _approved_claim(client)
    assert (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()["held_fen"] > 0
    url = f"/v1/claims/{claim['id']}/reject"
    problem(
        await client.post(url, json={"reason": ""}, headers=as_(CITY)), 422, "validation_failed"
    )
    problem(
        await client.post(url, json={"reason": "材料不全"}, headers=as_(FINANCE)), 403, "forbidden"
    )
    rejected = await client.post(url, json={"reason": "材料不全"}, headers=as_(CITY))
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "材料不全"
    # The hold is voided: all the money is available again.
    after = (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()
    assert after["held_fen"] == 0
    assert after["available_fen"] == after["balance_fen"]
    body = problem(
        await client.post(url, json={"reason": "再次"}, headers=as_(CITY)), 409, "invalid_state"
    )
    assert body["current_status"] == "rejected"
    body = problem(
        await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE)),
        409,
        "invalid_state",
    )
    assert body["current_status"] == "rejected"


async def test_claims_need_a_certified_order_of_the_institution(client: AsyncClient) -> None:
    order = await make_order(client, W)
    url = f"/v1/orders/{order['id']}/claims"
    body = problem(await client.post(url, headers=as_(INSTITUTION)), 409, "invalid_state")
    assert body["current_status"] == "selected"
    await advance(client, order["id"], "certified")
    problem(await client.post(url, headers=as_(OTHER_INSTITUTION)), 404, "not_found")
    problem(await client.post(url, headers=as_(CITY)), 403, "forbidden")
    problem(
        await client.post("/v1/orders/999999/claims", headers=as_(INSTITUTION)), 404, "not_found"
    )


async def test_reading_claims_is_scoped(client: AsyncClient) -> None:
    await _deposit(client, 1_000_000)
    claim = await _approved_claim(client)
    for reader in (CITY, RENCHENG, FINANCE, ADMIN, INSTITUTION, W):
        listed = await client.get("/v1/claims", headers=as_(reader))
        assert claim["id"] in {c["id"] for c in listed.json()["items"]}, reader
    for outsider in (YANZHOU, OTHER_INSTITUTION, worker(499), EVALUATOR):
        problem(
            await client.get(f"/v1/claims/{claim['id']}", headers=as_(outsider)), 404, "not_found"
        )
    approved = await client.get("/v1/claims", params={"status": "approved"}, headers=as_(CITY))
    assert claim["id"] in {c["id"] for c in approved.json()["items"]}


async def test_demo_funds_are_seeded_once(client: AsyncClient) -> None:
    async with client._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        empty = (await client.get("/v1/funds/ledger", headers=as_(FINANCE))).json()["total"] == 0
        first = await seed_demo_funds(session, "k")
        second = await seed_demo_funds(session, "k")
    assert first is empty
    assert second is False
    balance = await client.get("/v1/funds/balance", headers=as_(FINANCE))
    by_source = {s["source"]: s["balance_fen"] for s in balance.json()["by_source"]}
    assert by_source["special_training"] >= DEMO_FUNDS["special_training"]
    assert await _check(client)
