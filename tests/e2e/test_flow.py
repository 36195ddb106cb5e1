"""The five-order flow through the gateway, with the services reached over real HTTP."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from plumbing.clock import shanghai_today
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

PROBLEM = "application/problem+json"


async def test_one_worker_from_request_to_paid_claim(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    finance = await staff(gateway, "finance-officer")
    evaluator = await staff(gateway, "evaluator")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    ming = await worker(gateway, name="王小明")

    # 1 request
    request = await ming.ok(
        "POST",
        "/requests",
        expect=201,
        json={"occupation_code": ELDERLY_CARE, "level": 5, "unit_code": "rencheng"},
    )
    assert request["status"] == "open"
    eligibility = await ming.ok(
        "GET", "/me/eligibility", params={"occupation_code": ELDERLY_CARE, "level": 5}
    )
    assert eligibility["eligible"] is True

    # 2 listing: the subsidy comes from the catalogue and is fixed now
    catalogue = await ming.ok(
        "GET", "/catalogue/items", params={"occupation_code": ELDERLY_CARE, "level": 5}
    )
    standard = catalogue["items"][0]["subsidy_fen"]
    offering = await list_offering(officer, institution_id, capacity=2, hours=40)
    assert offering["status"] == "listed"
    assert offering["seats_left"] == 2
    assert offering["subsidy_fen"] == standard

    matches = await ming.ok("GET", f"/requests/{request['id']}/matches")
    assert offering["id"] in [m["id"] for m in matches["items"]]

    # 3 selection
    order = await ming.ok(
        "POST",
        "/orders",
        expect=201,
        json={"offering_id": offering["id"], "request_id": request["id"]},
    )
    assert order["status"] == "selected"
    seats = await ming.ok("GET", f"/offerings/{offering['id']}")
    assert seats["seats_left"] == 1

    # 4 acceptance, training, completion
    accepted = await clerk.ok("POST", f"/orders/{order['id']}/accept")
    assert accepted["status"] == "accepted"
    early = await clerk.call("POST", f"/orders/{order['id']}/complete")
    assert early.status_code == 409
    assert early.json()["code"] == "insufficient_attendance"
    await approved_class_plan(clerk, officer, offering)
    for day, (channel, who) in enumerate(
        (("classroom", clerk), ("classroom", clerk), ("classroom", clerk), ("wechat", ming))
    ):
        on = shanghai_today() + dt.timedelta(days=day)
        await attend(who, order["id"], 8, on=on, channel=channel)
    completed = await clerk.ok("POST", f"/orders/{order['id']}/complete")
    assert completed["status"] == "completed"  # 32 of 40 hours = 80 %

    # evaluation and the public certificate
    outcome = await evaluator.ok(
        "POST",
        "/evaluations/results",
        expect=201,
        json={"order_id": order["id"], "passed": True, "score": 88},
    )
    assert outcome["order_status"] == "certified"
    number = outcome["certificate_number"]
    public = await gateway.get(f"/api/v1/certificates/{number}")
    assert public.status_code == 200
    assert public.json()["holder_name_masked"] == "王**"
    assert public.json()["status"] == "valid"

    # 5 payment
    before = await finance.ok("GET", "/funds/balance")
    unconfirmed = await clerk.call("POST", f"/orders/{order['id']}/claims")
    assert unconfirmed.json()["code"] == "delivery_not_confirmed"
    await confirm_delivery(ming, order["id"])
    claim = await clerk.ok("POST", f"/orders/{order['id']}/claims", expect=201)
    assert claim["status"] == "submitted"
    assert claim["amount_fen"] == standard
    # approval before review is refused; then one officer reviews, another approves
    early = await officer.call("POST", f"/claims/{claim['id']}/approve")
    assert early.status_code == 409
    assert early.json()["code"] == "invalid_state"
    approved = await review_and_approve(gateway, claim["id"])
    assert approved["status"] == "approved"
    assert approved["approved_by"] != approved["reviewed_by"]
    key = {"Idempotency-Key": f"pay-{uuid.uuid4()}"}
    paid = await finance.call("POST", f"/claims/{claim['id']}/pay", headers=key)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    replay = await finance.call("POST", f"/claims/{claim['id']}/pay", headers=key)
    assert replay.status_code == 200
    assert replay.json() == paid.json()
    assert replay.headers["idempotent-replayed"] == "true"
    second = await finance.call(
        "POST", f"/claims/{claim['id']}/pay", headers={"Idempotency-Key": f"pay-{uuid.uuid4()}"}
    )
    assert second.status_code == 409
    assert second.json()["code"] == "already_paid"

    after = await finance.ok("GET", "/funds/balance")
    assert before["balance_fen"] - after["balance_fen"] == standard
    final = await ming.ok("GET", f"/orders/{order['id']}")
    assert final["status"] == "paid"
    assert (await officer.ok("GET", f"/claims/{claim['id']}"))["status"] == "paid"


async def test_unhappy_paths_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, clerk = await institution_with_clerk(
        officer, [(ELDERLY_CARE, 5), (ELDERLY_CARE, 4)]
    )
    offering = await list_offering(officer, institution_id, capacity=1)

    pensioner = await worker(gateway, pension=True)
    refused = await pensioner.call("POST", "/orders", json={"offering_id": offering["id"]})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "not_eligible"

    first = await worker(gateway)
    order = await first.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
    again = await first.call("POST", "/orders", json={"offering_id": offering["id"]})
    assert again.json()["code"] in ("occupation_level_already_subsidised", "offering_full")

    late = await worker(gateway)
    full = await late.call("POST", "/orders", json={"offering_id": offering["id"]})
    assert full.status_code == 409
    assert full.json()["code"] == "offering_full"

    # a wrong transition names the current state
    await clerk.ok("POST", f"/orders/{order['id']}/accept")
    cancel = await first.call("POST", f"/orders/{order['id']}/cancel")
    assert cancel.status_code == 409
    assert cancel.json()["code"] == "invalid_state"
    assert cancel.json()["current_status"] == "accepted"

    # someone else's order does not exist for a worker
    peek = await late.call("GET", f"/orders/{order['id']}")
    assert peek.status_code == 404
    assert peek.json()["code"] == "not_found"

    # not approved for the level / not in the catalogue
    no_approval = await officer.call(
        "POST",
        "/offerings",
        json={
            "institution_id": institution_id,
            "occupation_code": ELDERLY_CARE,
            "level": 3,
            "unit_code": "rencheng",
            "capacity": 5,
            "hours": 40,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
    )
    assert no_approval.json()["code"] == "not_approved"

    # dates out of order never reach a service
    backwards = await officer.call(
        "POST",
        "/offerings",
        json={
            "institution_id": institution_id,
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "unit_code": "rencheng",
            "capacity": 5,
            "hours": 40,
            "starts_on": "2026-12-31",
            "ends_on": "2026-12-01",
        },
    )
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "validation_failed"


async def test_suspended_institution_takes_no_offerings_or_acceptances(
    gateway: httpx.AsyncClient,
) -> None:
    officer = await staff(gateway, "city-officer")
    institution_id, clerk = await institution_with_clerk(officer, [(ELDERLY_CARE, 5)])
    offering = await list_offering(officer, institution_id)
    ming = await worker(gateway)
    order = await ming.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})

    await officer.ok(
        "POST", f"/institutions/{institution_id}/suspend", json={"reason": "检查发现虚假签到"}
    )
    blocked = await clerk.call("POST", f"/orders/{order['id']}/accept")
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "institution_inactive"
    # An order the clerk cannot see is still not_found first, as when the gateway read the
    # order before checking the institution.
    unseen = await clerk.call("POST", "/orders/999999999/accept")
    assert unseen.status_code == 404
    assert unseen.json()["code"] == "not_found"
    no_listing = await officer.call(
        "POST",
        "/offerings",
        json={
            "institution_id": institution_id,
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "unit_code": "rencheng",
            "capacity": 5,
            "hours": 40,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
    )
    assert no_listing.json()["code"] == "institution_inactive"
    assert (await ming.ok("GET", f"/orders/{order['id']}"))["status"] == "selected"

    await officer.ok("POST", f"/institutions/{institution_id}/reinstate", json={})
    assert (await clerk.ok("POST", f"/orders/{order['id']}/accept"))["status"] == "accepted"


async def test_yearly_cap_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    officer = await staff(gateway, "city-officer")
    trades = [(ELDERLY_CARE, 5), (ELDERLY_CARE, 4), ("4-10-01-06", 5), ("4-10-01-02", 5)]
    institution_id, _ = await institution_with_clerk(officer, trades)
    offerings = [
        await list_offering(officer, institution_id, code, level) for code, level in trades
    ]
    ming = await worker(gateway)
    codes = []
    for offering in offerings:
        response = await ming.call("POST", "/orders", json={"offering_id": offering["id"]})
        codes.append(response.json().get("code", response.status_code))
    assert codes == [201, 201, 201, "yearly_cap_reached"]
