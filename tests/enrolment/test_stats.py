"""The read-only statistics: outcome counts per institution and an institution's open orders."""

from __future__ import annotations

from httpx import AsyncClient

from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    INSTITUTION,
    RENCHENG,
    advance,
    make_offering,
    make_order,
    worker,
)
from tests.support import as_


async def test_outcomes_per_institution(client: AsyncClient) -> None:
    offering = await make_offering(client)
    orders = [await make_order(client, worker(n), offering) for n in range(1, 6)]
    await advance(client, orders[0]["id"], "accepted")
    claim = await advance(client, orders[1]["id"], "claimed")
    await advance(client, orders[2]["id"], "completed")
    failed = await client.post(
        f"/v1/orders/{orders[2]['id']}/evaluation",
        json={"passed": False, "certificate_number": None, "result_id": 99},
        headers=as_(EVALUATOR),
    )
    assert failed.json()["status"] == "failed"
    await client.post(
        f"/v1/orders/{orders[3]['id']}/reject", json={"reason": "满员"}, headers=as_(INSTITUTION)
    )
    rejected = await client.post(
        f"/v1/claims/{claim['id']}/reject", json={"reason": "材料不全"}, headers=as_(CITY)
    )
    assert rejected.status_code == 200, rejected.text
    other = await make_offering(client, institution_id=2)
    await make_order(client, worker(6), other)

    response = await client.get("/v1/stats/institutions", headers=as_(CITY))
    assert response.status_code == 200, response.text
    by_id = {i["institution_id"]: i for i in response.json()["items"]}
    assert by_id[1] == {
        "institution_id": 1,
        "orders_accepted": 3,  # the accepted, the claimed and the failed one
        "orders_completed": 2,
        "orders_certified": 1,
        "orders_failed": 1,
        "orders_dropped": 0,
        "orders_open": 2,  # one accepted, one still selected
        "claims_total": 1,
        "claims_rejected": 1,
    }
    assert by_id[2]["orders_open"] == 1
    one = await client.get(
        "/v1/stats/institutions", params={"institution_id": 2}, headers=as_(CITY)
    )
    assert [i["institution_id"] for i in one.json()["items"]] == [2]

    open_orders = await client.get("/v1/stats/institutions/1/open-orders", headers=as_(CITY))
    assert {o["id"]: o["status"] for o in open_orders.json()["items"]} == {
        orders[0]["id"]: "accepted",
        orders[4]["id"]: "selected",
    }
    county = await client.get("/v1/stats/institutions/1/open-orders", headers=as_(RENCHENG))
    assert county.json()["total"] == 2  # the offering is in rencheng
    for who in (INSTITUTION, worker(1)):
        assert (await client.get("/v1/stats/institutions", headers=as_(who))).status_code == 403
