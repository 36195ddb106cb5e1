"""The rules of DESIGN.md under concurrent requests, fired at the gateway of the live stack
(PostgreSQL and SQLite), counting what went through."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx

from tests.e2e.client import (
    ELDERLY_CARE,
    approved_class_plan,
    attend,
    confirm_delivery,
    institution_with_clerk,
    list_offering,
    review_and_approve,
    staff,
    worker,
)


def outcome(response: httpx.Response) -> str:
    return str(response.status_code) if response.status_code < 400 else response.json()["code"]


async def test_fifty_workers_race_for_ten_seats(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, _ = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, capacity=10)
    workers = await asyncio.gather(*(worker(gateway) for _ in range(50)))

    responses = await asyncio.gather(
        *(w.call("POST", "/orders", json={"offering_id": offering["id"]}) for w in workers)
    )
    counts = Counter(outcome(r) for r in responses)
    assert counts == {"201": 10, "offering_full": 40}
    after = await officer.ok("GET", f"/offerings/{offering['id']}")
    assert after["seats_left"] == 0
    orders = await officer.ok(
        "GET", "/orders", params={"offering_id": offering["id"], "limit": 200}
    )
    assert orders["total"] == 10


async def test_one_worker_races_eight_offerings_and_gets_three(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    trades = [
        (ELDERLY_CARE, 5),
        (ELDERLY_CARE, 4),
        (ELDERLY_CARE, 3),
        ("4-10-01-06", 5),
        ("4-10-01-06", 4),
        ("4-10-01-02", 5),
        ("4-10-01-02", 4),
        ("6-31-01-03", 5),
    ]
    institution_id, _ = await institution_with_clerk(officer, trades)
    offerings = [
        await list_offering(officer, institution_id, code, level) for code, level in trades
    ]
    ming = await worker(gateway)

    responses = await asyncio.gather(
        *(ming.call("POST", "/orders", json={"offering_id": o["id"]}) for o in offerings)
    )
    counts = Counter(outcome(r) for r in responses)
    assert counts == {"201": 3, "yearly_cap_reached": 5}
    mine = await ming.ok("GET", "/orders")
    assert mine["total"] == 3


async def test_ten_concurrent_payments_of_one_claim_pay_once(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    finance = await staff(gateway, "finance-officer")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=8)
    ming = await worker(gateway)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    await approved_class_plan(clerk, officer, offering)
    await attend(clerk, order["id"], 8, on=offering["starts_on"])
    await clerk.ok("POST", f"/orders/{order['id']}/complete")
    await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 75},
    )
    await confirm_delivery(ming, order["id"])
    claim = await clerk.ok("POST", f"/orders/{order['id']}/claims", expect=201)
    await review_and_approve(gateway, claim["id"])
    before = await finance.ok("GET", "/funds/balance")

    responses = await asyncio.gather(
        *(
            finance.call(
                "POST",
                f"/claims/{claim['id']}/pay",
                headers={"Idempotency-Key": f"k-{uuid.uuid4()}"},
            )
            for _ in range(10)
        )
    )
    counts = Counter(outcome(r) for r in responses)
    assert counts == {"200": 1, "already_paid": 9}
    after = await finance.ok("GET", "/funds/balance")
    assert before["balance_fen"] - after["balance_fen"] == claim["amount_fen"]


async def test_same_idempotency_key_concurrently_runs_once(gateway: httpx.AsyncClient) -> None:
    finance = await staff(gateway, "finance-officer")
    before = await finance.ok("GET", "/funds/balance")
    key = {"Idempotency-Key": f"dep-{uuid.uuid4()}"}
    body = {"source": "employee_education", "amount_fen": 12_345}
    responses = await asyncio.gather(
        *(finance.call("POST", "/funds/deposits", json=body, headers=key) for _ in range(8))
    )
    assert {r.status_code for r in responses} <= {201, 409}
    assert [r.status_code for r in responses].count(201) >= 1
    after = await finance.ok("GET", "/funds/balance")
    assert after["balance_fen"] - before["balance_fen"] == 12_345
