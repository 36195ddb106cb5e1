"""Evaluation through the gateway over real HTTP: scope, sessions, scores, certificates,
corrections, revocation and its effect on claims, entitlements, and enrolment down."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from plumbing.principal import Principal
from tests.e2e.client import (
    ELDERLY_CARE,
    Api,
    approved_class_plan,
    attend,
    institution_with_clerk,
    list_offering,
    staff,
    worker,
)
from tests.stack import RunningStack
from tests.support import internal_headers

GARMENT = "6-05-99-01"


async def completed_order(
    gateway: httpx.AsyncClient, officer: Api, name: str = "王小明"
) -> tuple[dict[str, Any], Api, Api]:
    """An elderly-care order at level 5, trained and completed: (order, clerk, worker)."""
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=8)
    person = await worker(gateway, name=name)
    order = await person.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    await approved_class_plan(clerk, officer, offering)
    await attend(clerk, order["id"], 8, on=offering["starts_on"])
    completed = await clerk.ok("POST", f"/orders/{order['id']}/complete")
    return completed, clerk, person


async def body_with_evaluator(
    officer: Api, scope: list[tuple[str, int]]
) -> tuple[dict[str, Any], Api]:
    body = await officer.ok(
        "POST",
        "/evaluations/bodies",
        expect=201,
        json={
            "name": f"第三方评价机构{uuid.uuid4().hex[:6]}",
            "kind": "third_party",
            "accredited_on": "2019-06-01",
            "scope": [{"occupation_code": c, "level": lv} for c, lv in scope],
        },
    )
    username = f"evaluator-{uuid.uuid4().hex[:8]}"
    account = await officer.ok(
        "POST",
        f"/evaluations/bodies/{body['id']}/evaluators",
        expect=201,
        json={"username": username, "password": "evaluator-password-1"},
    )
    assert account["evaluation_body_id"] == body["id"]
    return body, await staff(officer.http, username, "evaluator-password-1")


async def test_an_evaluator_outside_its_bodys_scope_is_refused(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    order, _, _ = await completed_order(gateway, officer)
    _, wenshang = await body_with_evaluator(officer, [(GARMENT, 4)])
    refused = await wenshang.call(
        "POST", "/evaluations/results", json={"order_id": order["id"], "passed": True, "score": 90}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "outside_body_scope"
    session = await wenshang.call(
        "POST",
        "/evaluations/sessions",
        json={
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "held_on": dt.date.today().isoformat(),
            "place": "汶上",
            "capacity": 5,
        },
    )
    assert session.json()["code"] == "outside_body_scope"
    # The order is untouched; the demo body (accredited for elderly care) records it.
    evaluator = await staff(gateway, "evaluator")
    outcome = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "theory_score": 75, "practical_score": 82},
    )
    assert (outcome["passed"], outcome["order_status"]) == (True, "certified")


async def test_session_registration_scores_certificate_and_entitlement(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    finance = await staff(gateway, "finance-officer")
    evaluator = await staff(gateway, "evaluator")
    order, clerk, person = await completed_order(gateway, officer, name="赵晓燕")
    sitting = await evaluator.ok(
        "POST",
        "/evaluations/sessions",
        expect=201,
        json={
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "held_on": dt.date.today().isoformat(),
            "place": "济宁市任城区技能鉴定考场",
            "capacity": 1,
        },
    )
    # The institution registers its completed order; the seat is then gone.
    candidate = await clerk.ok(
        "POST",
        f"/evaluations/sessions/{sitting['id']}/candidates",
        expect=201,
        json={"order_id": order["id"]},
    )
    assert candidate["name_masked"] == "赵**"
    full = await evaluator.call(
        "POST",
        f"/evaluations/sessions/{sitting['id']}/candidates",
        json={"name": "李四", "id_number": "11010519491231002X"},
    )
    assert full.status_code == 409
    assert full.json()["code"] == "session_full"

    contradicting = await evaluator.call(
        "POST",
        "/evaluations/results",
        json={"order_id": order["id"], "passed": False, "theory_score": 75, "practical_score": 82},
    )
    assert contradicting.status_code == 422
    outcome = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "theory_score": 75, "practical_score": 82},
    )
    number = outcome["certificate_number"]
    assert outcome["verify_url"].endswith(f"/certificates/{number}")
    public = (await gateway.get(f"/api/v1/certificates/{number}")).json()
    assert (public["holder_name_masked"], public["status"]) == ("赵**", "valid")
    assert public["occupation_name"] == "养老护理员"
    mine = await person.ok("GET", "/me/certificates")
    assert [c["number"] for c in mine["items"]] == [number]
    entitlements = await finance.ok(
        "GET", "/evaluations/entitlements", params={"order_id": order["id"]}
    )
    [entitlement] = entitlements["items"]
    assert (entitlement["amount_fen"], entitlement["status"]) == (15000, "open")
    denied = await clerk.call("GET", "/evaluations/entitlements")
    assert denied.status_code == 403


async def test_registering_an_order_that_is_not_completed_is_refused(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    institution_id, _ = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=8)
    person = await worker(gateway)
    order = await person.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    sitting = await evaluator.ok(
        "POST",
        "/evaluations/sessions",
        expect=201,
        json={
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "held_on": dt.date.today().isoformat(),
            "place": "考场",
            "capacity": 3,
        },
    )
    refused = await evaluator.call(
        "POST",
        f"/evaluations/sessions/{sitting['id']}/candidates",
        json={"order_id": order["id"]},
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_state"
    assert refused.json()["current_status"] == "selected"


async def test_a_revoked_certificate_verifies_as_revoked_and_bears_no_claim(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    order, clerk, _ = await completed_order(gateway, officer)
    outcome = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 91},
    )
    number = outcome["certificate_number"]
    by_clerk = await clerk.call("POST", f"/certificates/{number}/revoke", json={"reason": "x"})
    assert by_clerk.status_code == 403
    revoked = await officer.ok(
        "POST", f"/certificates/{number}/revoke", json={"reason": "考评现场替考"}
    )
    assert revoked["status"] == "revoked"
    public = (await gateway.get(f"/api/v1/certificates/{number}")).json()
    assert public["status"] == "revoked"
    listed = await officer.ok("GET", "/certificates", params={"order_id": order["id"]})
    assert [(c["number"], c["revoked_reason"]) for c in listed["items"]] == [
        (number, "考评现场替考")
    ]
    claim = await clerk.call("POST", f"/orders/{order['id']}/claims")
    assert claim.status_code == 409
    assert claim.json()["code"] == "certificate_revoked"
    assert claim.json()["certificate_number"] == number
    assert (await clerk.ok("GET", f"/orders/{order['id']}"))["status"] == "certified"


async def test_a_correction_keeps_the_history_and_a_failed_correction_stops_the_claim(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    order, clerk, _ = await completed_order(gateway, officer)
    outcome = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "theory_score": 70, "practical_score": 64},
    )
    corrected = await evaluator.ok(
        "POST",
        f"/evaluations/results/{outcome['result_id']}/corrections",
        expect=201,
        json={"theory_score": 70, "practical_score": 54, "reason": "复核：实操评分表误加10分"},
    )
    assert (corrected["revision"], corrected["passed"]) == (2, False)
    published = await officer.ok("GET", f"/evaluations/results/{outcome['result_id']}")
    assert (published["revision"], published["passed"]) == (1, True)
    history = await officer.ok("GET", "/evaluations/results", params={"order_id": order["id"]})
    assert [(r["revision"], r["passed"], r["correction_reason"]) for r in history["items"]] == [
        (1, True, None),
        (2, False, "复核：实操评分表误加10分"),
    ]
    public = (await gateway.get(f"/api/v1/certificates/{outcome['certificate_number']}")).json()
    assert public["status"] == "revoked"
    claim = await clerk.call("POST", f"/orders/{order['id']}/claims")
    assert claim.json()["code"] == "certificate_revoked"


async def test_a_kept_result_is_finished_by_repeating_once_enrolment_is_back(
    stack: RunningStack, gateway: httpx.AsyncClient
) -> None:
    """The state the gateway leaves when enrolment fails after evaluation stored the result:
    stored here through evaluation's internal API exactly as the gateway sends it, then the
    public call is repeated with enrolment down (503, nothing new) and up (completes, once)."""
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    order, _, _ = await completed_order(gateway, officer)
    me = await evaluator.ok("GET", "/me")
    principal = Principal(id=me["id"], role="evaluator", evaluation_body_id=1)
    async with httpx.AsyncClient(base_url=stack.urls["evaluation"], timeout=10) as http:
        stored = await http.post(
            "/v1/results",
            json={
                "order_id": order["id"],
                "worker_id": order["worker_id"],
                "occupation_code": order["occupation_code"],
                "level": order["level"],
                "holder_name_masked": order["worker_name_masked"],
                "passed": True,
                "score": 85,
            },
            headers=internal_headers(principal),
        )
    assert stored.status_code == 201, stored.text
    assert (await officer.ok("GET", f"/orders/{order['id']}"))["status"] == "completed"

    evaluate = {"order_id": order["id"], "passed": True, "score": 85}
    assert await stack.stop_process("enrolment") == 0
    try:
        down = await evaluator.call("POST", "/evaluations/results", json=evaluate)
        assert down.status_code == 503
        assert down.json()["code"] == "service_unavailable"
        assert down.headers["retry-after"]
        # The result is kept meanwhile, readable without enrolment.
        kept = await officer.ok("GET", "/evaluations/results", params={"order_id": order["id"]})
        assert [r["id"] for r in kept["items"]] == [stored.json()["id"]]
    finally:
        await stack.start_process("enrolment")
    repeat = await evaluator.ok("POST", "/evaluations/results", json=evaluate, expect=201)
    again = await evaluator.ok("POST", "/evaluations/results", json=evaluate, expect=201)
    assert repeat["order_status"] == again["order_status"] == "certified"
    assert repeat["result_id"] == again["result_id"] == stored.json()["id"]
    assert repeat["certificate_number"] == again["certificate_number"]
    assert repeat["certificate_number"] == stored.json()["certificate_number"]
    order_now = await officer.ok("GET", f"/orders/{order['id']}")
    assert order_now["certificate_number"] == repeat["certificate_number"]
    entitlements = await officer.ok(
        "GET", "/evaluations/entitlements", params={"order_id": order["id"]}
    )
    assert entitlements["total"] == 1
