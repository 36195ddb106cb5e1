"""Sessions: scheduled by a body within its scope; candidates from orders or direct."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from httpx import AsyncClient

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
from tests.evaluation.conftest import (
    EVALUATOR,
    GOVERNMENT,
    WORKER,
    evaluator_of,
    new_body,
    record,
    result_body,
)
from tests.support import as_

ID_NUMBER = "11010519491231002X"


def session_body(**over: Any) -> dict[str, Any]:
    body = {
        "occupation_code": "4-10-01-05",
        "level": 4,
        "held_on": shanghai_today().isoformat(),
        "place": "济宁市任城区技能鉴定考场 A",
        "capacity": 2,
    }
    body.update(over)
    return body


def from_order(order_id: int, **over: Any) -> dict[str, Any]:
    body = {
        "order_id": order_id,
        "worker_id": WORKER.id,
        "occupation_code": "4-10-01-05",
        "level": 4,
        "holder_name_masked": "张**",
    }
    body.update(over)
    return body


async def schedule(client: AsyncClient, who: Principal = EVALUATOR, **over: Any) -> dict[str, Any]:
    response = await client.post("/v1/sessions", json=session_body(**over), headers=as_(who))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def register(
    client: AsyncClient, session_id: int, body: dict[str, Any], who: Principal = EVALUATOR
) -> Any:
    return await client.post(f"/v1/sessions/{session_id}/candidates", json=body, headers=as_(who))


async def test_a_body_schedules_within_its_scope(client: AsyncClient) -> None:
    sitting = await schedule(client)
    assert (sitting["body_id"], sitting["status"], sitting["seats_left"]) == (1, "scheduled", 2)
    listed = await client.get("/v1/sessions", params={"body_id": 1}, headers=as_(WORKER))
    assert [s["id"] for s in listed.json()["items"]] == [sitting["id"]]

    garment = await new_body(client, [("6-05-99-01", 4)])
    refused = await client.post(
        "/v1/sessions", json=session_body(), headers=as_(evaluator_of(garment["id"]))
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "outside_body_scope"
    by_officer = await client.post("/v1/sessions", json=session_body(), headers=as_(GOVERNMENT))
    assert by_officer.status_code == 403
    for bad in (session_body(capacity=0), session_body(level=6), session_body(place="")):
        assert (
            await client.post("/v1/sessions", json=bad, headers=as_(EVALUATOR))
        ).status_code == 422


async def test_capacity_holds_and_duplicates_are_refused(client: AsyncClient) -> None:
    sitting = await schedule(client, capacity=2)
    first = await register(client, sitting["id"], from_order(5001))
    assert first.status_code == 201, first.text
    assert first.json()["name_masked"] == "张**"
    again = await register(client, sitting["id"], from_order(5001))
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    direct = await register(client, sitting["id"], {"name": "李四光", "id_number": ID_NUMBER})
    assert direct.status_code == 201, direct.text
    assert direct.json()["name_masked"] == "李**"
    assert direct.json()["id_number_masked"] == "110105********002X"
    assert ID_NUMBER not in direct.text
    assert "李四光" not in direct.text
    full = await register(client, sitting["id"], from_order(5002))
    assert full.status_code == 409
    assert full.json()["code"] == "session_full"
    seats = await client.get(f"/v1/sessions/{sitting['id']}", headers=as_(WORKER))
    assert (seats.json()["registered"], seats.json()["seats_left"]) == (2, 0)


async def test_registration_checks_trade_body_and_input(client: AsyncClient) -> None:
    sitting = await schedule(client, capacity=5)
    wrong_trade = await register(client, sitting["id"], from_order(5101, level=5))
    assert wrong_trade.status_code == 422
    stranger = evaluator_of(2)
    other_body = await register(client, sitting["id"], from_order(5102), who=stranger)
    assert other_body.status_code == 403
    bad_id = await register(
        client, sitting["id"], {"name": "李四", "id_number": "110105194912310021"}
    )
    assert bad_id.status_code == 422
    assert bad_id.json()["code"] == "invalid_id_number"
    both = await register(
        client, sitting["id"], from_order(5103) | {"name": "李四", "id_number": ID_NUMBER}
    )
    assert both.status_code == 422
    institution = Principal(id=5, role="institution", institution_id=3)
    direct_by_institution = await register(
        client, sitting["id"], {"name": "李四", "id_number": ID_NUMBER}, who=institution
    )
    assert direct_by_institution.status_code == 403
    missing = await register(client, 999999, from_order(5104))
    assert missing.status_code == 404


async def test_a_registered_order_is_evaluated_by_its_sessions_body(client: AsyncClient) -> None:
    sitting = await schedule(client)
    assert (await register(client, sitting["id"], from_order(5201))).status_code == 201
    # Another body, even one accredited for the trade, cannot record this order's result.
    rival = await new_body(client, [("4-10-01-05", 4)])
    refused = await client.post(
        "/v1/results", json=result_body(5201), headers=as_(evaluator_of(rival["id"]))
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    result = await record(client, result_body(5201))
    assert result["session_id"] == sitting["id"]
    assert result["evaluated_on"] == sitting["held_on"]


async def test_a_direct_candidate_gets_a_certificate_without_an_order(client: AsyncClient) -> None:
    sitting = await schedule(client)
    candidate = (
        await register(client, sitting["id"], {"name": "李四光", "id_number": ID_NUMBER})
    ).json()
    response = await client.post(
        f"/v1/candidates/{candidate['id']}/result",
        json={"theory_score": 72, "practical_score": 81},
        headers=as_(EVALUATOR),
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["candidate_id"], result["order_id"], result["passed"]) == (
        candidate["id"],
        None,
        True,
    )
    again = await client.post(
        f"/v1/candidates/{candidate['id']}/result",
        json={"theory_score": 72, "practical_score": 81},
        headers=as_(EVALUATOR),
    )
    assert again.status_code == 200
    verified = await client.get(f"/v1/certificates/{result['certificate_number']}")
    assert verified.json()["holder_name_masked"] == "李**"
    stranger = await client.post(
        f"/v1/candidates/{candidate['id']}/result",
        json={"score": 90},
        headers=as_(evaluator_of(2)),
    )
    assert stranger.status_code == 404


async def test_results_wait_for_the_session_day(client: AsyncClient) -> None:
    tomorrow = shanghai_today() + dt.timedelta(days=1)
    sitting = await schedule(client, held_on=tomorrow.isoformat())
    await register(client, sitting["id"], from_order(5301))
    early = await client.post("/v1/results", json=result_body(5301), headers=as_(EVALUATOR))
    assert early.status_code == 422
    assert "held on" in early.json()["detail"]


async def test_the_subsidy_is_the_one_in_force_on_the_session_day(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = shanghai_today() + dt.timedelta(days=10)
    version = await client.post(
        "/v1/catalogue/versions",
        json={
            "effective_on": later.isoformat(),
            "entries": [
                {
                    "occupation_code": "4-10-01-05",
                    "occupation_name": "养老护理员",
                    "level": 4,
                    "theory_pass_mark": 70,
                    "practical_pass_mark": 70,
                    "subsidy_fen": 26000,
                }
            ],
        },
        headers=as_(GOVERNMENT),
    )
    assert version.status_code == 201
    sitting = await schedule(client, held_on=later.isoformat())
    await register(client, sitting["id"], from_order(5401))
    await record(client, result_body(5402, passed=True, score=65))  # today: the first version

    import services.evaluation.result.service as result_service

    monkeypatch.setattr(result_service, "shanghai_today", lambda: later)
    # 65 passed under the first version's 60; on the session day the mark is 70.
    failed = await record(client, result_body(5401, passed=False, score=65))
    assert (failed["theory_pass_mark"], failed["evaluated_on"]) == (70, later.isoformat())
    await record(client, result_body(5403, passed=True, score=75))  # no session: "today"
    page = await client.get("/v1/entitlements", headers=as_(GOVERNMENT))
    amounts = {e["order_id"]: e["amount_fen"] for e in page.json()["items"]}
    assert amounts == {5402: 20000, 5403: 26000}
