"""The evaluation catalogue: the seeded trades, versions with effective dates, `as_of`."""

from __future__ import annotations

import datetime as dt

from httpx import AsyncClient

from plumbing.clock import shanghai_today
from tests.evaluation.conftest import EVALUATOR, GOVERNMENT, WORKER
from tests.support import as_

# The plan's local specialities, with the codes the training catalogue already uses.
LOCAL_TRADES = {
    "6-01-99-01": "微山湖特色产品加工工",
    "6-05-99-01": "缝纫工（汶上服装加工）",
    "6-01-99-02": "金乡大蒜加工工",
    "5-01-99-01": "食用菌生产工（邹城）",
}


def entry(code: str = "4-10-01-05", level: int = 4, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "occupation_code": code,
        "occupation_name": "养老护理员",
        "level": level,
        "theory_pass_mark": 60,
        "practical_pass_mark": 60,
        "subsidy_fen": 25000,
    }
    body.update(over)
    return body


async def test_seeded_catalogue_holds_the_plans_local_trades(client: AsyncClient) -> None:
    for code, name in LOCAL_TRADES.items():
        page = await client.get(
            "/v1/catalogue/entries", params={"occupation_code": code}, headers=as_(WORKER)
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        assert {i["occupation_name"] for i in items} == {name}
        assert sorted(i["level"] for i in items) == [3, 4, 5]
        # Differentiated evaluation: practical weighs more for the local specialities.
        assert {(i["theory_pass_mark"], i["practical_pass_mark"]) for i in items} == {(50, 70)}
        assert all(i["subsidy_fen"] > 0 for i in items)
    elderly = await client.get(
        "/v1/catalogue/entries",
        params={"occupation_code": "4-10-01-05", "level": 5},
        headers=as_(WORKER),
    )
    [item] = elderly.json()["items"]
    assert (item["theory_pass_mark"], item["practical_pass_mark"]) == (60, 60)
    assert elderly.json()["version"]["effective_on"] == "2019-01-01"


async def test_a_new_version_takes_effect_on_its_date(client: AsyncClient) -> None:
    today = shanghai_today()
    later = today + dt.timedelta(days=10)
    created = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": later.isoformat(), "note": "2027 标准", "entries": [entry()]},
        headers=as_(GOVERNMENT),
    )
    assert created.status_code == 201, created.text
    assert created.json()["entries"] == 1

    now = await client.get(
        "/v1/catalogue/entries", params={"occupation_code": "4-10-01-05"}, headers=as_(WORKER)
    )
    assert now.json()["as_of"] == today.isoformat()
    assert now.json()["version"]["effective_on"] == "2019-01-01"
    assert {i["level"]: i["subsidy_fen"] for i in now.json()["items"]}[4] == 20000

    then = await client.get(
        "/v1/catalogue/entries",
        params={"as_of": later.isoformat()},
        headers=as_(WORKER),
    )
    assert then.json()["version"]["id"] == created.json()["id"]
    assert [(i["occupation_code"], i["subsidy_fen"]) for i in then.json()["items"]] == [
        ("4-10-01-05", 25000)
    ]
    versions = await client.get("/v1/catalogue/versions", headers=as_(EVALUATOR))
    assert [v["effective_on"] for v in versions.json()] == ["2019-01-01", later.isoformat()]


async def test_versions_are_refused_in_the_past_twice_a_day_or_by_others(
    client: AsyncClient,
) -> None:
    today = shanghai_today()
    past = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": (today - dt.timedelta(days=1)).isoformat(), "entries": [entry()]},
        headers=as_(GOVERNMENT),
    )
    assert past.status_code == 422
    assert past.json()["code"] == "validation_failed"
    body = {"effective_on": (today + dt.timedelta(days=3)).isoformat(), "entries": [entry()]}
    assert (
        await client.post("/v1/catalogue/versions", json=body, headers=as_(GOVERNMENT))
    ).status_code == 201
    twice = await client.post("/v1/catalogue/versions", json=body, headers=as_(GOVERNMENT))
    assert twice.status_code == 409
    assert twice.json()["code"] == "conflict"
    for who in (EVALUATOR, WORKER):
        denied = await client.post("/v1/catalogue/versions", json=body, headers=as_(who))
        assert denied.status_code == 403
    duplicate = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": body["effective_on"], "entries": [entry(), entry()]},
        headers=as_(GOVERNMENT),
    )
    assert duplicate.status_code == 422
    bad_mark = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": body["effective_on"], "entries": [entry(theory_pass_mark=101)]},
        headers=as_(GOVERNMENT),
    )
    assert bad_mark.status_code == 422


async def test_before_the_first_version_nothing_is_in_force(client: AsyncClient) -> None:
    response = await client.get(
        "/v1/catalogue/entries", params={"as_of": "2018-12-31"}, headers=as_(WORKER)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_evaluation_catalogue"
