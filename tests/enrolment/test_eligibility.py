"""Eligibility as explainable rules, end to end in the service: each rule's boundary, the
certificate rule, group conditions, languages, and the decision stored with each order."""

from __future__ import annotations

import datetime as dt

from httpx import AsyncClient

from plumbing.clock import frozen_at
from services.enrolment.eligibility.rules import RULE_VERSION
from tests.enrolment.helpers import (
    CITY,
    INSTITUTION,
    advance,
    make_offering,
    make_profile,
    problem,
    select,
    worker,
)
from tests.support import as_

W = worker(501)
URL = "/v1/workers/me/eligibility"
# Midnight of 2027-01-01 in Jining is 16:00 UTC on 2026-12-31.
LAST_SECOND_OF_2026 = dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=dt.UTC)
FIRST_SECOND_OF_2027 = dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=dt.UTC)


async def _three_orders(client: AsyncClient) -> list[dict[str, object]]:
    orders = []
    for level in (5, 4, 3):
        offering = await make_offering(client, level=level)
        response = await select(client, W, offering["id"])
        assert response.status_code == 201, response.text
        orders.append(response.json())
    return orders


async def test_third_allowed_fourth_refused_with_every_reason(client: AsyncClient) -> None:
    await make_profile(client, W)
    orders = await _three_orders(client)
    assert [o["subsidy_year"] for o in orders] == [orders[0]["subsidy_year"]] * 3
    fourth = await make_offering(client, level=2)
    body = problem(await select(client, W, fourth["id"]), 409, "yearly_cap_reached")
    assert body["reasons"][0]["code"] == "yearly_cap_reached"
    assert body["reasons"][0]["clause"].endswith("§二.(二).11")
    assert body["rule_version"] == RULE_VERSION
    pre = (await client.get(URL, params={"offering_id": fourth["id"]}, headers=as_(W))).json()
    assert pre["eligible"] is False
    assert pre["facts"]["held_this_year"] == 3


async def test_year_boundary_is_midnight_in_shanghai(client: AsyncClient) -> None:
    with frozen_at(LAST_SECOND_OF_2026):
        await make_profile(client, W)
        orders = await _three_orders(client)
        assert {o["subsidy_year"] for o in orders} == {2026}
        late = await make_offering(client, level=2)
        problem(await select(client, W, late["id"]), 409, "yearly_cap_reached")
    with frozen_at(FIRST_SECOND_OF_2027):
        # The year is fixed on each order: 2026's three still count for 2026 only.
        assert (await client.get(URL, headers=as_(W))).json()["eligible"] is True
        new_year = await select(client, W, late["id"])
        assert new_year.status_code == 201, new_year.text
        assert new_year.json()["subsidy_year"] == 2027
        assert new_year.json()["decision_facts"]["held_this_year"] == 0


async def test_cancelled_and_rejected_orders_free_the_slot(client: AsyncClient) -> None:
    await make_profile(client, W)
    orders = await _three_orders(client)
    fourth = await make_offering(client, level=2)
    problem(await select(client, W, fourth["id"]), 409, "yearly_cap_reached")
    cancelled = await client.post(f"/v1/orders/{orders[0]['id']}/cancel", headers=as_(W))
    assert cancelled.status_code == 200
    assert (await select(client, W, fourth["id"])).status_code == 201
    fifth = await make_offering(client, level=1)
    problem(await select(client, W, fifth["id"]), 409, "yearly_cap_reached")
    rejected = await client.post(
        f"/v1/orders/{orders[1]['id']}/reject",
        json={"reason": "名额调整"},
        headers=as_(INSTITUTION),
    )
    assert rejected.status_code == 200
    assert (await select(client, W, fifth["id"])).status_code == 201


async def test_same_occupation_and_level_never_twice(client: AsyncClient) -> None:
    await make_profile(client, W)
    first = await make_offering(client)
    order = (await select(client, W, first["id"])).json()
    await advance(client, order["id"], "certified")
    again = await make_offering(client)
    body = problem(await select(client, W, again["id"]), 409, "occupation_level_already_subsidised")
    assert body["reasons"][0]["code"] == "occupation_level_already_subsidised"


async def test_a_held_certificate_excludes_its_level_and_lower_ones(client: AsyncClient) -> None:
    await make_profile(client, W)
    held = [{"occupation_code": "4-10-01-05", "level": 4}]
    cert = "4-10-01-05:4"
    for level, allowed in ((5, False), (4, False), (3, True)):
        pre = await client.get(
            URL,
            params={"occupation_code": "4-10-01-05", "level": level, "certificate": cert},
            headers=as_(W),
        )
        assert pre.json()["eligible"] is allowed, pre.json()
        offering = await make_offering(client, level=level)
        response = await select(client, W, offering["id"], held_certificates=held)
        if allowed:
            assert response.status_code == 201, response.text
            assert response.json()["decision_facts"]["certificates"] == [["4-10-01-05", 4]]
        else:
            body = problem(response, 409, "not_eligible")
            assert [r["code"] for r in body["reasons"]] == ["certificate_held"]
    other = await make_offering(client, occupation_code="6-31-01-03", level=5)
    assert (await select(client, W, other["id"], held_certificates=held)).status_code == 201


async def test_spread_wings_needs_twelve_months_of_unemployment_insurance(
    client: AsyncClient,
) -> None:
    offering = await make_offering(client, programme="spread_wings")
    short = worker(502)
    await make_profile(client, short, group="enterprise_employee", unemployment_insurance_months=11)
    body = problem(await select(client, short, offering["id"]), 409, "not_eligible")
    assert body["reasons"][0]["code"] == "spread_wings_insurance_short"
    assert "展翅行动" in body["reasons"][0]["clause"]
    enough = worker(503)
    await make_profile(
        client,
        enough,
        group="enterprise_employee",
        unemployment_insurance_months=12,
        employer_credit_code="52370800MJ0000001M",
    )
    assert (await select(client, enough, offering["id"])).status_code == 201


async def test_reasons_are_plain_chinese_or_english(client: AsyncClient) -> None:
    await make_profile(client, W, receives_pension=True)
    zh = (await client.get(URL, headers=as_(W))).json()["reasons"][0]
    en = (await client.get(URL, headers=as_(W) | {"accept-language": "en"})).json()["reasons"][0]
    assert zh["code"] == en["code"] == "pensioner"
    assert zh["detail"] == "领取基本养老金的人员不能享受职业培训补贴。"
    assert en["detail"].startswith("People drawing a basic pension")
    assert zh["clause"] == en["clause"]


async def test_every_selection_stores_a_replayable_decision(client: AsyncClient) -> None:
    await make_profile(client, W)
    offering = await make_offering(client)
    order = (await select(client, W, offering["id"])).json()
    assert order["rule_version"] == RULE_VERSION
    assert order["decision_facts"]["has_profile"] is True
    assert order["decision_facts"]["occupation_code"] == "4-10-01-05"
    replay = await client.get(f"/v1/orders/{order['id']}/decision", headers=as_(CITY))
    assert replay.status_code == 200
    assert replay.json()["eligible"] is True
    assert replay.json()["facts"] == order["decision_facts"]


async def test_bad_certificate_parameters_are_refused(client: AsyncClient) -> None:
    await make_profile(client, W)
    bad = await client.get(URL, params={"certificate": "4-10-01-05:9"}, headers=as_(W))
    problem(bad, 422, "validation_failed")
    problem(await client.get(URL, params={"offering_id": 999999}, headers=as_(W)), 404, "not_found")
