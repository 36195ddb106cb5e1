"""The training catalogues, the applicable subsidy standard, the units, and seeding."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from plumbing.ids import normalise_credit_code
from services.institutions.config import Settings
from services.institutions.seed import DEMO_CREDIT_CODE, seed_demo_data, seed_reference_data
from tests.institutions.conftest import WORKER
from tests.support import as_

CSV_ROWS = list(csv.DictReader(Settings().catalogue_csv.open(encoding="utf-8")))


def test_catalogue_file_is_marked_as_sample_figures() -> None:
    assert CSV_ROWS
    assert all("SAMPLE FIGURES" in row["note"] for row in CSV_ROWS)
    assert {row["catalogue"] for row in CSV_ROWS} == {"key_industry", "general"}


def test_higher_levels_have_higher_subsidies() -> None:
    # Level 5 is the foundation grade, 1 the highest: subsidy rises as the number falls.
    by_trade: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for row in CSV_ROWS:
        key = (row["catalogue"], row["occupation_code"])
        by_trade[key].append((int(row["level"]), int(row["subsidy_fen"])))
    for trade, pairs in by_trade.items():
        subsidies = [fen for _, fen in sorted(pairs, reverse=True)]
        assert subsidies == sorted(subsidies), trade
        assert len(set(subsidies)) == len(subsidies), trade


async def test_list_everything(client: AsyncClient) -> None:
    page = (await client.get("/v1/catalogue/items", params={"limit": 200})).json()
    assert page["total"] == len(CSV_ROWS)
    item = page["items"][0]
    assert set(item) == {
        "id", "catalogue", "occupation_code", "occupation_name", "level", "subsidy_fen",
        "standard_hours", "training_types", "industry", "since_version", "until_version",
    }  # fmt: skip
    assert isinstance(item["training_types"], list)
    names = {i["occupation_name"] for i in page["items"]}
    assert {"养老护理员", "家政服务员", "育婴员", "汽车维修工", "电工", "电子商务师"} <= names


async def test_filters_and_pagination(client: AsyncClient) -> None:
    general = (await client.get("/v1/catalogue/items", params={"catalogue": "general"})).json()
    assert general["total"] == sum(r["catalogue"] == "general" for r in CSV_ROWS)
    assert {i["catalogue"] for i in general["items"]} == {"general"}

    ecommerce = (
        await client.get(
            "/v1/catalogue/items", params={"occupation_code": "4-01-02-02", "level": 4}
        )
    ).json()
    assert sorted(i["catalogue"] for i in ecommerce["items"]) == ["general", "key_industry"]

    tail = (
        await client.get("/v1/catalogue/items", params={"limit": 5, "offset": len(CSV_ROWS) - 2})
    ).json()
    assert (len(tail["items"]), tail["total"], tail["limit"]) == (2, len(CSV_ROWS), 5)

    bad = await client.get("/v1/catalogue/items", params={"catalogue": "special"})
    assert bad.json()["code"] == "validation_failed"


async def test_lookup_prefers_the_key_industry_catalogue(client: AsyncClient) -> None:
    response = await client.get(
        "/v1/catalogue/lookup",
        params={"occupation_code": "4-01-02-02", "level": 4},
        headers=as_(WORKER),
    )
    assert response.status_code == 200
    item = response.json()
    assert item["catalogue"] == "key_industry"
    general = next(
        r for r in CSV_ROWS
        if (r["catalogue"], r["occupation_code"], r["level"]) == ("general", "4-01-02-02", "4")
    )  # fmt: skip
    assert item["subsidy_fen"] != int(general["subsidy_fen"])


async def test_lookup_falls_back_to_general(client: AsyncClient) -> None:
    response = await client.get(
        "/v1/catalogue/lookup", params={"occupation_code": "4-12-01-01", "level": 4}
    )
    assert response.status_code == 200
    assert (response.json()["catalogue"], response.json()["occupation_name"]) == (
        "general",
        "汽车维修工",
    )


@pytest.mark.parametrize(("code", "level"), [("9-99-99-99", 5), ("4-04-05-01", 5)])
async def test_lookup_outside_the_catalogues(client: AsyncClient, code: str, level: int) -> None:
    response = await client.get(
        "/v1/catalogue/lookup", params={"occupation_code": code, "level": level}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_catalogue"


@pytest.mark.parametrize(
    "params", [{"occupation_code": "4-10-01-05"}, {"occupation_code": "x", "level": 9}]
)
async def test_lookup_validates_its_query(client: AsyncClient, params: dict[str, object]) -> None:
    response = await client.get("/v1/catalogue/lookup", params=params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_units(client: AsyncClient) -> None:
    body = (await client.get("/v1/units")).json()
    assert body["total"] == len(body["items"]) == 15
    assert sum(u["quota_2019"] for u in body["items"]) == 80_000 == body["quota_2019_total"]
    rencheng = next(u for u in body["items"] if u["code"] == "rencheng")
    assert rencheng == {
        "code": "rencheng", "name_zh": "任城区", "name_en": "Rencheng District",
        "kind": "district", "gb2260": "370811", "quota_2019": 7500,
    }  # fmt: skip


async def test_reference_seeding_is_idempotent(app: FastAPI, client: AsyncClient) -> None:
    async with app.state.sessionmaker() as session:
        assert await seed_reference_data(session) == 0
        assert await seed_reference_data(session) == 0
    assert (await client.get("/v1/catalogue/items")).json()["total"] == len(CSV_ROWS)
    assert (await client.get("/v1/units")).json()["total"] == 15


async def test_demo_institution_is_seeded_once(app: FastAPI, client: AsyncClient) -> None:
    async with app.state.sessionmaker() as session:
        assert await seed_demo_data(session) is True
        assert await seed_demo_data(session) is False
    page = (await client.get("/v1/institutions")).json()
    assert page["total"] == 1
    demo = page["items"][0]
    assert demo["name"] == "济宁市技师学院（演示）"
    assert (demo["kind"], demo["unit_code"], demo["status"]) == (
        "technical_school",
        "rencheng",
        "active",
    )
    assert demo["credit_code"] == DEMO_CREDIT_CODE == normalise_credit_code(DEMO_CREDIT_CODE)
    approvals = {(a["occupation_code"], a["level"]) for a in demo["approvals"]}
    assert {("4-10-01-05", 5), ("6-31-01-03", 4)} <= approvals
    for code, level in approvals:  # every demo approval can be listed as an offering
        lookup = await client.get(
            "/v1/catalogue/lookup", params={"occupation_code": code, "level": level}
        )
        assert lookup.status_code == 200, (code, level)
