"""Recording results: pass → certificate, idempotent repeats, conflicts, who may record."""

from __future__ import annotations

from httpx import AsyncClient

from plumbing.principal import Principal
from tests.evaluation.conftest import (
    EVALUATOR,
    GOVERNMENT,
    WORKER,
    as_read,
    record,
    result_body,
)
from tests.support import as_

RESULT_FIELDS = {
    "id",
    "order_id",
    "body_id",
    "evaluator_id",
    "worker_id",
    "occupation_code",
    "level",
    "passed",
    "score",
    "certificate_number",
    "recorded_at",
    "candidate_id",
    "session_id",
    "revision",
    "corrects_id",
    "correction_reason",
    "theory_score",
    "practical_score",
    "theory_pass_mark",
    "practical_pass_mark",
    "evaluated_on",
}


async def test_pass_issues_a_publicly_verifiable_certificate(client: AsyncClient) -> None:
    result = await record(client, result_body(passed=True, score=86))
    assert set(result) == RESULT_FIELDS | {"verify_url"}
    assert result["body_id"] == 1
    assert result["evaluator_id"] == EVALUATOR.id
    number = result["certificate_number"]
    assert isinstance(number, str)
    assert number.startswith("JN")

    # No principal at all: public verification.
    verified = await client.get(f"/v1/certificates/{number}")
    assert verified.status_code == 200, verified.text
    assert verified.json() == {
        "number": number,
        "occupation_code": "4-10-01-05",
        "occupation_name": "养老护理员",
        "level": 4,
        "holder_name_masked": "张**",
        "body_id": 1,
        "body_name": "济宁市职业技能鉴定指导中心（演示）",
        "issued_on": verified.json()["issued_on"],
        "status": "valid",
        "verify_url": f"http://127.0.0.1:8000/api/v1/certificates/{number}",
    }
    # Look-ups forgive case.
    assert (await client.get(f"/v1/certificates/{number.lower()}")).status_code == 200


async def test_fail_issues_no_certificate(client: AsyncClient) -> None:
    result = await record(client, result_body(1002, passed=False, score=59.5))
    assert result["passed"] is False
    assert result["certificate_number"] is None
    page = await client.get(
        "/v1/certificates", params={"worker_id": WORKER.id}, headers=as_(GOVERNMENT)
    )
    assert page.json()["total"] == 0


async def test_score_exactly_at_the_pass_mark_passes(client: AsyncClient) -> None:
    result = await record(client, result_body(1003, passed=True, score=60))
    assert result["certificate_number"] is not None


async def test_repeating_the_same_result_returns_it_without_a_second_certificate(
    client: AsyncClient,
) -> None:
    first = await record(client, result_body())
    again = await client.post("/v1/results", json=result_body(), headers=as_(EVALUATOR))
    assert again.status_code == 200, again.text
    assert again.json() == first
    page = await client.get(
        "/v1/certificates", params={"worker_id": WORKER.id}, headers=as_(GOVERNMENT)
    )
    assert page.json()["total"] == 1


async def test_different_content_for_the_same_order_is_a_conflict(client: AsyncClient) -> None:
    await record(client, result_body(passed=True, score=86))
    response = await client.post(
        "/v1/results", json=result_body(passed=True, score=90), headers=as_(EVALUATOR)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "score" in response.json()["detail"]
    failed = await client.post(
        "/v1/results", json=result_body(passed=False, score=40), headers=as_(EVALUATOR)
    )
    assert failed.json()["code"] == "conflict"


async def test_passed_contradicting_the_score_is_rejected(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/results", json=result_body(passed=True, score=59), headers=as_(EVALUATOR)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "contradicts score 59" in body["detail"]
    assert body["pass_mark"] == 60
    response = await client.post(
        "/v1/results", json=result_body(passed=False, score=75), headers=as_(EVALUATOR)
    )
    assert response.json()["code"] == "validation_failed"
    listed = await client.get("/v1/results", params={"order_id": 1001}, headers=as_(GOVERNMENT))
    assert listed.json()["total"] == 0


async def test_bad_input_is_rejected(client: AsyncClient) -> None:
    cases = [
        result_body(level=6),
        result_body(score=101),
        result_body(holder_name_masked="张三丰"),  # a full name must never become public
        result_body(order_id=0),
        result_body(occupation_code=""),
    ]
    for body in cases:
        response = await client.post("/v1/results", json=body, headers=as_(EVALUATOR))
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_failed"


async def test_evaluator_without_a_body_is_forbidden(client: AsyncClient) -> None:
    unbound = Principal(id=701, role="evaluator")
    response = await client.post("/v1/results", json=result_body(), headers=as_(unbound))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_evaluator_of_an_unknown_body_is_forbidden(client: AsyncClient) -> None:
    stray = Principal(id=702, role="evaluator", evaluation_body_id=99999)
    response = await client.post("/v1/results", json=result_body(), headers=as_(stray))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_others_may_not_record_results(client: AsyncClient) -> None:
    for who in (WORKER, GOVERNMENT, Principal(id=5, role="institution", institution_id=3)):
        response = await client.post("/v1/results", json=result_body(), headers=as_(who))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


async def test_a_suspended_body_records_no_new_results(client: AsyncClient) -> None:
    before = await record(client, result_body(1001))
    suspended = await client.post(
        "/v1/bodies/1/suspend", json={"reason": "audit"}, headers=as_(GOVERNMENT)
    )
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    response = await client.post("/v1/results", json=result_body(1002), headers=as_(EVALUATOR))
    assert response.status_code == 409
    assert response.json()["code"] == "evaluation_body_inactive"
    assert response.json()["current_status"] == "suspended"
    # A repeat of what was recorded before still answers (the gateway may be retrying).
    again = await client.post("/v1/results", json=result_body(1001), headers=as_(EVALUATOR))
    assert again.status_code == 200
    assert again.json() == before


async def test_results_are_listed_by_order_within_scope(client: AsyncClient) -> None:
    stored = as_read(await record(client, result_body(1001)))
    await record(client, result_body(1002, worker_id=43))
    page = await client.get("/v1/results", params={"order_id": 1001}, headers=as_(GOVERNMENT))
    assert page.status_code == 200
    assert page.json() == {"items": [stored], "total": 1, "limit": 50, "offset": 0}

    mine = await client.get("/v1/results", headers=as_(WORKER))
    assert [r["order_id"] for r in mine.json()["items"]] == [1001]
    theirs = await client.get("/v1/results", params={"worker_id": 43}, headers=as_(WORKER))
    assert theirs.json()["total"] == 0

    other_body = Principal(id=703, role="evaluator", evaluation_body_id=2)
    assert (await client.get("/v1/results", headers=as_(other_body))).json()["total"] == 0
    hidden = await client.get(f"/v1/results/{stored['id']}", headers=as_(other_body))
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"
    own = await client.get(f"/v1/results/{stored['id']}", headers=as_(EVALUATOR))
    assert own.json() == stored


async def test_calls_need_the_internal_token_and_a_principal(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/results", json=result_body(), headers={"x-internal-token": "wrong"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    anonymous = await client.post("/v1/results", json=result_body())
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthorized"
