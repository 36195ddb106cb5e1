"""Order 5 through the live stack: idempotent deposits and approvals, maker-checker refusals,
and a batch payment whose enrolment process is killed half-way, then retried."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any

import httpx
from openpyxl import load_workbook

from plumbing.clock import shanghai_today
from tests.e2e.client import (
    ELDERLY_CARE,
    approved_class_plan,
    attend,
    confirm_delivery,
    institution_with_clerk,
    list_offering,
    staff,
    worker,
)
from tests.stack import RunningStack


async def _claims(gateway: httpx.AsyncClient, n: int) -> list[dict[str, Any]]:
    """n submitted training claims of one institution."""
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=8)
    claims = []
    for i in range(n):
        w = await worker(gateway)
        order = await w.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
        await clerk.ok("POST", f"/orders/{order['id']}/accept")
        if i == 0:  # the plan is filed once the class has its first accepted worker
            await approved_class_plan(clerk, officer, offering)
        await attend(clerk, order["id"], 8, on=offering["starts_on"])
        await clerk.ok("POST", f"/orders/{order['id']}/complete")
        await evaluator.ok(
            "POST",
            "/evaluations/results",
            expect=201,
            json={"order_id": order["id"], "passed": True, "score": 80},
        )
        await confirm_delivery(w, order["id"])
        claims.append(await clerk.ok("POST", f"/orders/{order['id']}/claims", expect=201))
    return claims


def _code(response: httpx.Response) -> str:
    return str(response.json().get("code")) if response.status_code >= 400 else "ok"


async def test_deposit_approve_and_pay_are_idempotent_and_maker_checked(
    gateway: httpx.AsyncClient,
) -> None:
    finance = await staff(gateway, "finance-officer")
    reviewer = await staff(gateway, "rencheng-officer")
    approver = await staff(gateway, "city-officer")
    key = {"Idempotency-Key": f"dep-{uuid.uuid4()}"}
    body = {"source": "entrepreneurship", "amount_fen": 70_000}
    first = await finance.call("POST", "/funds/deposits", json=body, headers=key)
    assert first.status_code == 201, first.text
    again = await finance.call("POST", "/funds/deposits", json=body, headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    other = await finance.call(
        "POST", "/funds/deposits", json={**body, "amount_fen": 1}, headers=key
    )
    assert (other.status_code, _code(other)) == (422, "idempotency_key_reused")

    [claim] = await _claims(gateway, 1)
    cid = claim["id"]
    await reviewer.ok("POST", f"/claims/{cid}/review")
    same = await reviewer.call("POST", f"/claims/{cid}/approve")
    assert (same.status_code, _code(same)) == (403, "same_person")
    approve_key = {"Idempotency-Key": f"approve-{uuid.uuid4()}"}
    approved = await approver.call("POST", f"/claims/{cid}/approve", headers=approve_key)
    assert approved.json()["status"] == "approved", approved.text
    replayed = await approver.call("POST", f"/claims/{cid}/approve", headers=approve_key)
    assert replayed.json() == approved.json()
    balance = await finance.ok("GET", "/funds/balance")
    assert balance["held_fen"] >= claim["amount_fen"]

    pay_key = {"Idempotency-Key": f"pay-{uuid.uuid4()}"}
    paid = await finance.call("POST", f"/claims/{cid}/pay", headers=pay_key)
    assert paid.json()["status"] == "paid", paid.text
    verified = await finance.ok("GET", "/audit/verify")
    assert verified["ok"] is True
    assert verified["checked"] > 0


async def test_a_batch_killed_half_way_pays_each_claim_once(
    gateway: httpx.AsyncClient, stack: RunningStack
) -> None:
    finance = await staff(gateway, "finance-officer")
    reviewer = await staff(gateway, "rencheng-officer")
    approver = await staff(gateway, "city-officer")
    claims = await _claims(gateway, 5)
    for c in claims:
        await reviewer.ok("POST", f"/claims/{c['id']}/review")
        await approver.ok("POST", f"/claims/{c['id']}/approve")
    before = await finance.ok("GET", "/funds/balance")
    key = {"Idempotency-Key": f"batch-{uuid.uuid4()}"}
    body = {"claim_ids": [c["id"] for c in claims]}

    run = asyncio.create_task(finance.call("POST", "/claims/pay-batch", json=body, headers=key))
    progress: dict[str, Any] = {}
    for _ in range(100):
        await asyncio.sleep(0.1)
        r = await finance.call("GET", f"/payment-batches/{key['Idempotency-Key']}")
        if r.status_code == 200 and r.json()["paid"] >= 2:
            progress = r.json()
            break
    await stack.kill_process("enrolment")  # the crash, half-way through the batch
    crashed = await run
    assert crashed.status_code >= 500
    assert 2 <= progress["paid"] < 5, progress
    await stack.start_process("enrolment")

    retried = await finance.call("POST", "/claims/pay-batch", json=body, headers=key)
    assert retried.status_code == 200, retried.text
    done = retried.json()
    assert (done["total"], done["paid"], done["failed"], done["pending"]) == (5, 5, 0, 0)
    replay = await finance.call("POST", "/claims/pay-batch", json=body, headers=key)
    assert replay.json() == done
    assert replay.headers["idempotent-replayed"] == "true"
    after = await finance.ok("GET", "/funds/balance")
    assert before["balance_fen"] - after["balance_fen"] == sum(c["amount_fen"] for c in claims)
    for c in claims:
        assert (await finance.ok("GET", f"/claims/{c['id']}"))["status"] == "paid"
    assert (await finance.ok("GET", "/audit/verify"))["ok"] is True


async def test_finance_reconciles_and_exports_the_ledger(gateway: httpx.AsyncClient) -> None:
    finance = await staff(gateway, "finance-officer")
    officer = await staff(gateway, "city-officer")
    deposit = await finance.ok(
        "POST",
        "/funds/deposits",
        expect=201,
        json={"source": "unemployment_insurance", "amount_fen": 123_456, "reference": "拨款"},
    )
    report = await officer.ok("GET", "/funds/reconciliation")
    assert report == {"consistent": True, "breaks": []}
    today = shanghai_today().isoformat()
    params = {"source": "unemployment_insurance", "from_on": today, "to_on": today}
    csv_file = await finance.call("GET", "/funds/ledger/export", params=params)
    assert csv_file.status_code == 200, csv_file.text
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["entry_id", "booked_at", "txn_id"]
    mine = [r for r in rows[1:] if r[9] == str(deposit["id"])]
    assert sorted((r[4], r[6], r[7]) for r in mine) == [
        ("external:unemployment_insurance", "-123456", "-1234.56"),
        ("special:unemployment_insurance", "123456", "1234.56"),
    ]
    xlsx = await finance.call("GET", "/funds/ledger/export", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "entry_id"
    assert len(values) == len(rows)
    refused = await officer.call("GET", "/funds/ledger/export", params=params)
    assert refused.status_code == 403


async def test_concurrent_payments_with_one_key_pay_once(gateway: httpx.AsyncClient) -> None:
    finance = await staff(gateway, "finance-officer")
    [claim] = await _claims(gateway, 1)
    await (await staff(gateway, "rencheng-officer")).ok("POST", f"/claims/{claim['id']}/review")
    await (await staff(gateway, "city-officer")).ok("POST", f"/claims/{claim['id']}/approve")
    before = await finance.ok("GET", "/funds/balance")
    key = {"Idempotency-Key": f"pay-{uuid.uuid4()}"}
    responses = await asyncio.gather(
        *(finance.call("POST", f"/claims/{claim['id']}/pay", headers=key) for _ in range(8))
    )
    # the first runs; the others either wait their turn (409, Retry-After) or replay it
    assert {_code(r) for r in responses} <= {"ok", "request_in_progress"}
    assert all(r.json()["status"] == "paid" for r in responses if r.status_code == 200)
    assert all("retry-after" in r.headers for r in responses if r.status_code == 409)
    settled = await finance.call("POST", f"/claims/{claim['id']}/pay", headers=key)
    assert settled.status_code == 200
    assert settled.headers["idempotent-replayed"] == "true"
    after = await finance.ok("GET", "/funds/balance")
    assert before["balance_fen"] - after["balance_fen"] == claim["amount_fen"]
    other_body = await finance.call("POST", f"/claims/{claim['id'] + 1}/pay", headers=key)
    assert (other_body.status_code, _code(other_body)) == (422, "idempotency_key_reused")


async def test_the_worker_claims_the_living_cost_subsidy(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=8)
    ming = await worker(gateway)  # group "unemployed": receives the living-cost subsidy
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    early = await ming.call("POST", f"/orders/{order['id']}/claims", json={"kind": "living_cost"})
    assert (early.status_code, _code(early)) == (409, "invalid_state")
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    await approved_class_plan(clerk, officer, offering)
    await attend(clerk, order["id"], 8, on=offering["starts_on"])
    await clerk.ok("POST", f"/orders/{order['id']}/complete")
    claim = await ming.ok(
        "POST", f"/orders/{order['id']}/claims", expect=201, json={"kind": "living_cost"}
    )
    assert (claim["kind"], claim["payee_kind"], claim["status"]) == (
        "living_cost",
        "worker",
        "submitted",
    )
    assert claim["amount_fen"] > 0
    training = await ming.call("POST", f"/orders/{order['id']}/claims")
    assert training.status_code == 403  # the training subsidy is the institution's to claim


async def test_the_evaluation_subsidy_is_the_entitlement_evaluation_recorded(
    gateway: httpx.AsyncClient,
) -> None:
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
    url = f"/orders/{order['id']}/claims"
    early = await clerk.call("POST", url, json={"kind": "evaluation"})
    assert (early.status_code, _code(early)) == (409, "not_entitled")  # not evaluated yet
    await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 80},
    )
    await confirm_delivery(ming, order["id"])
    [entitlement] = (
        await finance.ok(
            "GET", "/evaluations/entitlements", params={"order_id": order["id"], "status": "open"}
        )
    )["items"]
    assert entitlement["amount_fen"] > 0
    # The amount is the entitlement's: a client cannot even send one.
    priced = await clerk.call("POST", url, json={"kind": "evaluation", "amount_fen": 1})
    assert (priced.status_code, _code(priced)) == (422, "validation_failed")
    claim = await clerk.ok("POST", url, expect=201, json={"kind": "evaluation"})
    assert (claim["kind"], claim["amount_fen"], claim["payee_kind"]) == (
        "evaluation",
        entitlement["amount_fen"],
        "institution",
    )
    again = await clerk.call("POST", url, json={"kind": "evaluation"})
    assert (again.status_code, _code(again)) == (409, "already_claimed")
    # the training subsidy is a separate claim on the same order
    training = await clerk.ok("POST", url, expect=201)
    assert training["kind"] == "training"
