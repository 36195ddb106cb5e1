"""Offerings (order 2) and training requests (order 1) with their matches."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.enrolment.helpers import (
    CITY,
    FINANCE,
    INSTITUTION,
    OTHER_INSTITUTION,
    RENCHENG,
    YANZHOU,
    make_offering,
    make_profile,
    offering_body,
    problem,
    select,
    worker,
)
from tests.support import as_

W = worker(201)


async def test_government_lists_an_offering(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/offerings", json=offering_body(funding_source="employment_subsidy"), headers=as_(CITY)
    )
    assert response.status_code == 201, response.text
    offering = response.json()
    assert offering["status"] == "listed"
    assert offering["seats_left"] == 30
    assert offering["seats_taken"] == 0
    assert offering["subsidy_fen"] == 150_000
    assert offering["funding_source"] == "employment_subsidy"
    assert offering["listed_by"] == CITY.id
    fetched = await client.get(f"/v1/offerings/{offering['id']}", headers=as_(W))
    assert fetched.json() == offering


async def test_offering_funding_source_defaults_to_special_training(client: AsyncClient) -> None:
    offering = await make_offering(client)
    assert offering["funding_source"] == "special_training"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"capacity": 0}, "validation_failed"),
        ({"hours": 0}, "validation_failed"),
        ({"subsidy_fen": -1}, "validation_failed"),
        ({"level": 6}, "validation_failed"),
        ({"starts_on": "2026-12-20", "ends_on": "2026-12-01"}, "validation_failed"),
        ({"funding_source": "lottery"}, "validation_failed"),
        ({"unit_code": "atlantis"}, "unknown_unit"),
    ],
)
async def test_bad_offerings_are_refused(
    client: AsyncClient, overrides: dict[str, Any], code: str
) -> None:
    response = await client.post(
        "/v1/offerings", json=offering_body(**overrides), headers=as_(CITY)
    )
    problem(response, 422, code)


async def test_only_government_lists_and_unit_officers_only_their_unit(client: AsyncClient) -> None:
    problem(
        await client.post("/v1/offerings", json=offering_body(), headers=as_(W)), 403, "forbidden"
    )
    problem(
        await client.post("/v1/offerings", json=offering_body(), headers=as_(YANZHOU)),
        403,
        "forbidden",
    )
    own = await client.post("/v1/offerings", json=offering_body(), headers=as_(RENCHENG))
    assert own.status_code == 201


async def test_browse_filters_and_scopes(client: AsyncClient) -> None:
    a = await make_offering(client)
    b = await make_offering(client, unit_code="yanzhou", institution_id=2, level=4)
    everything = await client.get("/v1/offerings", headers=as_(W))
    assert {o["id"] for o in everything.json()["items"]} >= {a["id"], b["id"]}
    by_level = await client.get("/v1/offerings", params={"level": 4}, headers=as_(W))
    assert [o["id"] for o in by_level.json()["items"]] == [b["id"]]
    page = await client.get("/v1/offerings", params={"limit": 1}, headers=as_(FINANCE))
    assert page.json()["limit"] == 1
    assert len(page.json()["items"]) == 1
    assert page.json()["total"] >= 2
    # Unit officers and institutions see their own rows; others' ids are not found.
    rencheng = await client.get("/v1/offerings", headers=as_(RENCHENG))
    assert {o["unit_code"] for o in rencheng.json()["items"]} == {"rencheng"}
    problem(await client.get(f"/v1/offerings/{b['id']}", headers=as_(RENCHENG)), 404, "not_found")
    mine = await client.get("/v1/offerings", headers=as_(OTHER_INSTITUTION))
    assert [o["id"] for o in mine.json()["items"]] == [b["id"]]
    problem(
        await client.get(f"/v1/offerings/{a['id']}", headers=as_(OTHER_INSTITUTION)),
        404,
        "not_found",
    )
    problem(await client.get("/v1/offerings/999999", headers=as_(W)), 404, "not_found")


async def test_request_needs_a_profile_and_opens(client: AsyncClient) -> None:
    body = {"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"}
    problem(await client.post("/v1/requests", json=body, headers=as_(W)), 409, "profile_required")
    await make_profile(client, W)
    response = await client.post("/v1/requests", json=body, headers=as_(W))
    assert response.status_code == 201, response.text
    request = response.json()
    assert request["status"] == "open"
    assert request["worker_id"] == W.id
    assert set(request) == {
        "id",
        "worker_id",
        "occupation_code",
        "level",
        "unit_code",
        "status",
        "matched_offering_id",
        "order_id",
        "created_at",
        "updated_at",
    }
    assert request["created_at"].endswith(("Z", "+00:00"))
    listed = await client.get("/v1/requests", headers=as_(W))
    assert [r["id"] for r in listed.json()["items"]] == [request["id"]]
    assert (await client.get(f"/v1/requests/{request['id']}", headers=as_(CITY))).status_code == 200
    # Another worker, another unit's officer and institutions do not see it.
    for other in (worker(202), YANZHOU, INSTITUTION):
        problem(
            await client.get(f"/v1/requests/{request['id']}", headers=as_(other)), 404, "not_found"
        )
    problem(
        await client.post("/v1/requests", json={**body, "unit_code": "nowhere"}, headers=as_(W)),
        422,
        "unknown_unit",
    )
    problem(await client.post("/v1/requests", json=body, headers=as_(CITY)), 403, "forbidden")


async def test_matches_are_listed_offerings_with_seats_own_unit_first(client: AsyncClient) -> None:
    await make_profile(client, W)
    body = {"occupation_code": "6-01-02-03", "level": 4, "unit_code": "yanzhou"}
    request = (await client.post("/v1/requests", json=body, headers=as_(W))).json()
    elsewhere = await make_offering(client, occupation_code="6-01-02-03", level=4)
    home = await make_offering(client, occupation_code="6-01-02-03", level=4, unit_code="yanzhou")
    full = await make_offering(client, occupation_code="6-01-02-03", level=4, capacity=1)
    await make_offering(client, occupation_code="6-01-02-03", level=3)  # another level
    await make_profile(client, worker(203))
    assert (await select(client, worker(203), full["id"])).status_code == 201
    matches = await client.get(f"/v1/requests/{request['id']}/matches", headers=as_(W))
    assert matches.status_code == 200
    assert [o["id"] for o in matches.json()["items"]] == [home["id"], elsewhere["id"]]
    assert matches.json()["total"] == 2
    problem(
        await client.get(f"/v1/requests/{request['id']}/matches", headers=as_(worker(203))),
        404,
        "not_found",
    )
