"""What crosses the process boundaries: the internal credential, request ids, logs free of
personal data, and a step whose service is down failing cleanly and completing on repeat."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.e2e.client import (
    ELDERLY_CARE,
    approved_class_plan,
    attend,
    institution_with_clerk,
    list_offering,
    staff,
    worker,
)
from tests.stack import RunningStack
from tests.support import internal_headers

ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")


async def test_services_refuse_calls_without_the_internal_credential(stack: RunningStack) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        for name in ("institutions", "enrolment", "evaluation"):
            base = stack.urls[name]
            anonymous = await http.get(f"{base}/v1/catalogue/items")
            forged = await http.get(
                f"{base}/v1/catalogue/items", headers={"x-internal-token": "guess"}
            )
            assert anonymous.status_code == forged.status_code == 401, name
            assert anonymous.json()["code"] == "unauthorized"
            assert (await http.get(f"{base}/healthz")).status_code == 200
            assert (await http.get(f"{base}/readyz")).status_code == 200
        # With the credential the same call goes through (institutions serves the catalogue).
        ok = await http.get(
            f"{stack.urls['institutions']}/v1/catalogue/items", headers=internal_headers()
        )
        assert ok.status_code == 200


async def test_request_id_travels_and_logs_hold_no_id_numbers(
    stack: RunningStack, gateway: httpx.AsyncClient
) -> None:
    ming = await worker(gateway)  # puts an ID number and a phone through gateway and enrolment
    request_id = uuid.uuid4().hex
    response = await ming.call("GET", "/me/profile", headers={"X-Request-Id": request_id})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == request_id
    gateway_lines = [line for line in stack.log("gateway").splitlines() if request_id in line]
    enrolment_lines = [line for line in stack.log("enrolment").splitlines() if request_id in line]
    assert len(gateway_lines) == 1
    assert len(enrolment_lines) == 1
    assert '"principal_id"' in enrolment_lines[0]
    for name in ("gateway", "institutions", "enrolment", "evaluation"):
        assert not ID_NUMBER.search(stack.log(name)), f"an ID number is in the {name} log"
        assert "13800138000" not in stack.log(name)


async def test_service_down_is_503_and_repeating_completes(
    stack: RunningStack, gateway: httpx.AsyncClient
) -> None:
    officer = await staff(gateway, "city-officer")
    evaluator = await staff(gateway, "evaluator")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id, hours=8)
    ming = await worker(gateway)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})

    await stack.stop_process("institutions")
    try:
        down = await clerk.call("POST", f"/orders/{order['id']}/accept")
        assert down.status_code == 503
        assert down.headers["retry-after"]
        assert down.json()["code"] == "service_unavailable"
        # nothing was half-written
        assert (await ming.ok("GET", f"/orders/{order['id']}"))["status"] == "selected"
    finally:
        await stack.start_process("institutions")
    assert (await clerk.ok("POST", f"/orders/{order['id']}/accept"))["status"] == "accepted"

    await approved_class_plan(clerk, officer, offering)
    await attend(clerk, order["id"], 8, on=offering["starts_on"])
    await clerk.ok("POST", f"/orders/{order['id']}/complete")

    # The evaluation step writes twice: evaluation keeps the result even when enrolment is
    # down at the end of the step; the repeat finds it and finishes the order.
    evaluate = {"order_id": order["id"], "passed": True, "score": 90}
    enrolment_down = await stack.stop_process("enrolment")
    assert enrolment_down == 0
    try:
        first = await evaluator.call("POST", "/evaluations/results", json=evaluate)
        assert first.status_code == 503
    finally:
        await stack.start_process("enrolment")
    repeat = await evaluator.ok("POST", "/evaluations/results", json=evaluate, expect=201)
    again = await evaluator.ok("POST", "/evaluations/results", json=evaluate, expect=201)
    assert repeat["order_status"] == again["order_status"] == "certified"
    assert repeat["certificate_number"] == again["certificate_number"]
    public = await gateway.get(f"/api/v1/certificates/{repeat['certificate_number']}")
    assert public.json()["status"] == "valid"
