"""Evaluation-subsidy entitlements: a pass earns the catalogue's amount; who may read them."""

from __future__ import annotations

from httpx import AsyncClient

from plumbing.principal import Principal
from tests.evaluation.conftest import EVALUATOR, GOVERNMENT, WORKER, record, result_body
from tests.support import as_

FINANCE = Principal(id=6, role="finance")


async def test_a_pass_earns_the_catalogue_amount_and_a_fail_nothing(client: AsyncClient) -> None:
    passed = await record(client, result_body(6001, passed=True, score=80))
    await record(client, result_body(6002, passed=False, score=30))
    await record(client, result_body(6003, level=5, passed=True, score=90, worker_id=43))
    page = await client.get("/v1/entitlements", params={"order_id": 6001}, headers=as_(FINANCE))
    assert page.status_code == 200, page.text
    [entitlement] = page.json()["items"]
    assert entitlement["kind"] == "evaluation"
    assert (entitlement["amount_fen"], entitlement["status"]) == (20000, "open")
    assert (entitlement["result_id"], entitlement["worker_id"]) == (passed["id"], WORKER.id)
    assert entitlement["evaluated_on"] == passed["evaluated_on"]
    failed = await client.get("/v1/entitlements", params={"order_id": 6002}, headers=as_(FINANCE))
    assert failed.json()["total"] == 0
    level5 = await client.get("/v1/entitlements", params={"worker_id": 43}, headers=as_(GOVERNMENT))
    assert [e["amount_fen"] for e in level5.json()["items"]] == [15000]


async def test_entitlements_are_read_by_government_finance_and_their_worker(
    client: AsyncClient,
) -> None:
    await record(client, result_body(6101, passed=True, score=80))
    await record(client, result_body(6102, passed=True, score=80, worker_id=43))
    mine = await client.get("/v1/entitlements", headers=as_(WORKER))
    assert [e["order_id"] for e in mine.json()["items"]] == [6101]
    theirs = await client.get("/v1/entitlements", params={"worker_id": 43}, headers=as_(WORKER))
    assert theirs.json()["total"] == 0
    for who in (EVALUATOR, Principal(id=5, role="institution", institution_id=3)):
        denied = await client.get("/v1/entitlements", headers=as_(who))
        assert denied.status_code == 403
        assert denied.json()["code"] == "forbidden"
