"""Pass rules per trade: theory and practical each against the trade's own mark."""

from __future__ import annotations

from httpx import AsyncClient

from tests.evaluation.conftest import EVALUATOR, record, result_body
from tests.support import as_

CHEMICAL_SAFETY = "6-11-99-01"  # 80 / 80
GARLIC = "6-01-99-02"  # 50 / 70


def scored(
    order_id: int, code: str, level: int, theory: float, practical: float
) -> dict[str, object]:
    body = result_body(order_id, occupation_code=code, level=level)
    del body["passed"], body["score"]
    body.update(theory_score=theory, practical_score=practical)
    return body


async def test_default_rule_needs_sixty_in_each_part(client: AsyncClient) -> None:
    passed = await record(client, scored(3001, "4-10-01-05", 4, 60, 95))
    assert passed["passed"] is True
    assert (passed["theory_pass_mark"], passed["practical_pass_mark"]) == (60, 60)
    assert passed["score"] == 77.5  # the mean, when no overall score is given
    failed = await record(client, scored(3002, "4-10-01-05", 4, 59, 100))
    assert failed["passed"] is False
    assert failed["certificate_number"] is None


async def test_safety_trades_need_eighty_in_each_part(client: AsyncClient) -> None:
    failed = await record(client, scored(3101, CHEMICAL_SAFETY, 4, 85, 79))
    assert failed["passed"] is False
    passed = await record(client, scored(3102, CHEMICAL_SAFETY, 4, 80, 80))
    assert passed["passed"] is True
    # The simple form: one score stands for both parts, so 75 fails here but passes elsewhere.
    simple = await record(
        client, result_body(3103, occupation_code=CHEMICAL_SAFETY, level=4, passed=False, score=75)
    )
    assert simple["passed"] is False
    elsewhere = await record(client, result_body(3104, passed=True, score=75))
    assert elsewhere["passed"] is True


async def test_local_speciality_weighs_the_practical_part(client: AsyncClient) -> None:
    passed = await record(client, scored(3201, GARLIC, 5, 52, 70))
    assert passed["passed"] is True
    failed = await record(client, scored(3202, GARLIC, 5, 95, 69))
    assert failed["passed"] is False


async def test_a_passed_that_contradicts_the_scores_is_refused(client: AsyncClient) -> None:
    body = scored(3301, CHEMICAL_SAFETY, 4, 85, 79) | {"passed": True}
    response = await client.post("/v1/results", json=body, headers=as_(EVALUATOR))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert "contradicts theory 85 and practical 79" in problem["detail"]
    assert (problem["theory_pass_mark"], problem["practical_pass_mark"]) == (80, 80)
    agreeing = scored(3302, CHEMICAL_SAFETY, 4, 85, 80) | {"passed": True, "score": 83}
    stored = await record(client, agreeing)
    assert (stored["passed"], stored["score"]) == (True, 83)


async def test_scores_must_come_complete(client: AsyncClient) -> None:
    half = result_body(3401) | {"theory_score": 70}
    del half["score"]
    none = result_body(3402)
    del none["score"]
    for body in (half, none, scored(3403, "4-10-01-05", 4, 70, 101)):
        response = await client.post("/v1/results", json=body, headers=as_(EVALUATOR))
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_failed"


async def test_a_trade_outside_the_evaluation_catalogue_is_refused(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/results", json=result_body(3501, occupation_code="9-99-99-99"), headers=as_(EVALUATOR)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_evaluation_catalogue"
