"""Scope and accreditation: evaluators act only for their body's trades, levels and dates."""

from __future__ import annotations

from httpx import AsyncClient

from tests.evaluation.conftest import (
    GOVERNMENT,
    evaluator_of,
    new_body,
    record,
    result_body,
)
from tests.support import as_

GARMENT = "6-05-99-01"
GARLIC = "6-01-99-02"


async def test_an_evaluator_outside_its_bodys_scope_is_refused(client: AsyncClient) -> None:
    body = await new_body(client, [(GARMENT, 4)])
    assert body["scope"] == [{"occupation_code": GARMENT, "level": 4}]
    wenshang = evaluator_of(body["id"])
    # Elderly care is in the catalogue but not in this body's scope.
    refused = await client.post("/v1/results", json=result_body(2001), headers=as_(wenshang))
    assert refused.status_code == 403
    assert refused.json()["code"] == "outside_body_scope"
    # Nor the right trade at another level.
    other_level = result_body(2002, occupation_code=GARMENT, level=3, score=90)
    refused = await client.post("/v1/results", json=other_level, headers=as_(wenshang))
    assert refused.json()["code"] == "outside_body_scope"
    listed = await client.get("/v1/results", params={"order_id": 2001}, headers=as_(GOVERNMENT))
    assert listed.json()["total"] == 0
    # Within scope it records.
    ok = await record(
        client, result_body(2003, occupation_code=GARMENT, level=4, score=90), wenshang
    )
    assert ok["body_id"] == body["id"]
    assert ok["certificate_number"]


async def test_scope_is_replaced_by_the_government_within_the_catalogue(
    client: AsyncClient,
) -> None:
    body = await new_body(client, [(GARMENT, 4)])
    changed = await client.put(
        f"/v1/bodies/{body['id']}/scope",
        json={"scope": [{"occupation_code": GARLIC, "level": 5}]},
        headers=as_(GOVERNMENT),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["scope"] == [{"occupation_code": GARLIC, "level": 5}]
    wenshang = evaluator_of(body["id"])
    refused = await client.post(
        "/v1/results",
        json=result_body(2101, occupation_code=GARMENT, level=4, score=90),
        headers=as_(wenshang),
    )
    assert refused.json()["code"] == "outside_body_scope"
    unknown = await client.put(
        f"/v1/bodies/{body['id']}/scope",
        json={"scope": [{"occupation_code": "9-99-99-99", "level": 5}]},
        headers=as_(GOVERNMENT),
    )
    assert unknown.status_code == 409
    assert unknown.json()["code"] == "not_in_evaluation_catalogue"
    by_evaluator = await client.put(
        f"/v1/bodies/{body['id']}/scope", json={"scope": []}, headers=as_(wenshang)
    )
    assert by_evaluator.status_code == 403


async def test_a_body_outside_its_accreditation_dates_records_nothing(client: AsyncClient) -> None:
    lapsed = await new_body(
        client, [(GARMENT, 4)], accredited_on="2019-03-01", accredited_until="2020-12-31"
    )
    assert (lapsed["accredited_on"], lapsed["accredited_until"]) == ("2019-03-01", "2020-12-31")
    response = await client.post(
        "/v1/results",
        json=result_body(2201, occupation_code=GARMENT, level=4, score=90),
        headers=as_(evaluator_of(lapsed["id"])),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "accreditation_lapsed"
    unordered = await client.post(
        "/v1/bodies",
        json={
            "name": "x",
            "kind": "employer",
            "accredited_on": "2021-01-01",
            "accredited_until": "2020-01-01",
        },
        headers=as_(GOVERNMENT),
    )
    assert unordered.status_code == 422


async def test_a_revoked_body_records_nothing_and_says_why(client: AsyncClient) -> None:
    body = await new_body(client, [(GARMENT, 4)])
    revoked = await client.post(
        f"/v1/bodies/{body['id']}/revoke",
        json={"reason": "违规发放证书"},
        headers=as_(GOVERNMENT),
    )
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["status_reason"] == "违规发放证书"
    response = await client.post(
        "/v1/results",
        json=result_body(2301, occupation_code=GARMENT, level=4, score=90),
        headers=as_(evaluator_of(body["id"])),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "evaluation_body_inactive"
    assert response.json()["current_status"] == "revoked"
