"""Catalogue versions: published with an effective date, readable as of any date, imported
from CSV or XLSX whole or not at all, exported again."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from typing import Any

import pytest
from httpx import AsyncClient
from openpyxl import Workbook, load_workbook

from plumbing.clock import shanghai_today
from tests.institutions.conftest import CITY, RENCHENG, WORKER
from tests.support import as_

COOK = {"catalogue": "general", "occupation_code": "4-03-02-01", "level": 5}
HEADER = (
    "catalogue,occupation_code,occupation_name,level,training_types,standard_hours,"
    "subsidy_fen,industry"
)


def item(**overrides: Any) -> dict[str, Any]:
    return {
        **COOK,
        "occupation_name": "中式烹调师",
        "training_types": ["employment_skills", "job_skill_upgrade"],
        "standard_hours": 80,
        "subsidy_fen": 120000,
        "industry": "餐饮服务",
    } | overrides


def today() -> str:
    return shanghai_today().isoformat()


async def items_as_of(client: AsyncClient, day: str | None = None, **params: Any) -> Any:
    query = {"limit": 200} | params | ({"as_of": day} if day else {})
    response = await client.get("/v1/catalogue/items", params=query)
    assert response.status_code == 200, response.text
    return response.json()


async def upload(
    client: AsyncClient, content: bytes, name: str = "catalogue.csv", **kw: Any
) -> Any:
    body = {
        "effective_on": kw.pop("effective_on", today()),
        "filename": name,
        "content_base64": base64.b64encode(content).decode(),
    }
    return await client.post(
        "/v1/catalogue/versions/import", json=body, headers=as_(kw.pop("who", CITY))
    )


async def export(client: AsyncClient, number: int, fmt: str = "csv") -> bytes:
    response = await client.get(f"/v1/catalogue/versions/{number}/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    return base64.b64decode(response.json()["content_base64"])


async def test_the_seed_catalogue_is_version_one(client: AsyncClient) -> None:
    versions = (await client.get("/v1/catalogue/versions")).json()
    assert versions["total"] == 1
    first = versions["items"][0]
    assert (first["number"], first["effective_on"], first["source"]) == (1, "2019-01-01", "seed")
    assert first["added"] == (await items_as_of(client))["total"] == 62
    # Before the programme began there was no catalogue at all.
    before = await client.get("/v1/catalogue/items", params={"as_of": "2018-12-31"})
    assert before.status_code == 409
    assert before.json()["code"] == "not_in_catalogue"


async def test_a_version_changes_adds_and_retires_from_its_date_on(client: AsyncClient) -> None:
    old = (await items_as_of(client, **COOK))["items"][0]
    tomorrow = (shanghai_today() + dt.timedelta(days=1)).isoformat()
    new_trade = item(occupation_code="4-10-03-01", occupation_name="保健按摩师")
    published = await client.post(
        "/v1/catalogue/versions",
        json={
            "effective_on": tomorrow,
            "note": "2027年度调整",
            "items": [item(subsidy_fen=130000), new_trade],
            "retire": [{"catalogue": "general", "occupation_code": "4-02-02-01", "level": 4}],
        },
        headers=as_(CITY),
    )
    assert published.status_code == 201, published.text
    version = published.json()
    assert (version["number"], version["added"], version["changed"], version["retired"]) == (
        2, 1, 1, 1,
    )  # fmt: skip
    assert version["published_by"] == CITY.id

    # Today the old standard still applies; from tomorrow the new one.
    now = (await items_as_of(client, today(), **COOK))["items"]
    later = (await items_as_of(client, tomorrow, **COOK))["items"]
    assert [i["subsidy_fen"] for i in now] == [old["subsidy_fen"]] == [100000]
    assert [i["subsidy_fen"] for i in later] == [130000]
    assert later[0]["id"] != old["id"]
    assert later[0]["since_version"] == 2
    assert (await items_as_of(client, "2020-06-01", **COOK))["items"][0]["id"] == old["id"]
    assert (await items_as_of(client, tomorrow))["total"] == 62 + 1 - 1
    assert (await items_as_of(client, version=1))["total"] == 62
    courier_4 = {"occupation_code": "4-02-02-01", "level": 4}
    assert (await items_as_of(client, today(), **courier_4))["total"] == 1
    assert (await items_as_of(client, tomorrow, **courier_4))["total"] == 0

    lookup_now = await client.get(
        "/v1/catalogue/lookup", params={"occupation_code": "4-03-02-01", "level": 5}
    )
    lookup_later = await client.get(
        "/v1/catalogue/lookup",
        params={"occupation_code": "4-03-02-01", "level": 5, "as_of": tomorrow},
    )
    assert (lookup_now.json()["subsidy_fen"], lookup_later.json()["subsidy_fen"]) == (
        100000,
        130000,
    )


@pytest.mark.parametrize(
    ("days", "detail"), [(-1, "in the past"), (0, "before it")], ids=["past", "before-latest"]
)
async def test_history_is_never_rewritten(client: AsyncClient, days: int, detail: str) -> None:
    if days == 0:  # a version effective in a week exists: a new one cannot come before it
        week = (shanghai_today() + dt.timedelta(days=7)).isoformat()
        first = await client.post(
            "/v1/catalogue/versions",
            json={"effective_on": week, "items": [item(subsidy_fen=110000)]},
            headers=as_(CITY),
        )
        assert first.status_code == 201
    day = (shanghai_today() + dt.timedelta(days=days)).isoformat()
    response = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": day, "items": [item(subsidy_fen=140000)]},
        headers=as_(CITY),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "version_out_of_order"
    assert detail in response.json()["detail"]


async def test_nothing_to_change_and_unknown_retirements_are_refused(client: AsyncClient) -> None:
    current = (await items_as_of(client, **COOK))["items"][0]
    fields = ("occupation_name", "training_types", "standard_hours", "subsidy_fen", "industry")
    same = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": today(), "items": [COOK | {f: current[f] for f in fields}]},
        headers=as_(CITY),
    )
    assert same.status_code == 409
    assert same.json()["code"] == "empty_version"
    unknown = await client.post(
        "/v1/catalogue/versions",
        json={
            "effective_on": today(),
            "retire": [{"catalogue": "general", "occupation_code": "9-99-99-99", "level": 5}],
        },
        headers=as_(CITY),
    )
    assert unknown.status_code == 409
    assert unknown.json()["code"] == "not_in_catalogue"
    empty = await client.post(
        "/v1/catalogue/versions", json={"effective_on": today()}, headers=as_(CITY)
    )
    assert empty.json()["code"] == "empty_version"


@pytest.mark.parametrize("who", [RENCHENG, WORKER], ids=["county-officer", "worker"])
async def test_only_city_wide_officers_publish(client: AsyncClient, who: Any) -> None:
    response = await client.post(
        "/v1/catalogue/versions",
        json={"effective_on": today(), "items": [item(subsidy_fen=150000)]},
        headers=as_(who),
    )
    assert response.status_code == 403
    assert (await upload(client, b"x", who=who)).status_code == 403
    assert (await client.get("/v1/catalogue/versions")).json()["total"] == 1


async def test_export_edit_and_import_a_csv(client: AsyncClient) -> None:
    exported = await export(client, 1)
    assert exported.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese names
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert len(rows) == 62
    for row in rows:
        if (row["catalogue"], row["occupation_code"], row["level"]) == (
            "general",
            "4-03-02-01",
            "5",
        ):
            row["subsidy_fen"] = "115000"
    rows = [r for r in rows if r["occupation_code"] != "4-07-05-01"]  # 保安员 leaves (2 rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    response = await upload(client, out.getvalue().encode("utf-8-sig"))
    assert response.status_code == 201, response.text
    version = response.json()
    assert (version["number"], version["source"]) == (2, "csv")
    assert (version["added"], version["changed"], version["retired"]) == (0, 1, 2)
    assert (await items_as_of(client, today(), **COOK))["items"][0]["subsidy_fen"] == 115000
    assert (await items_as_of(client))["total"] == 60

    # The same file again changes nothing: refused, no empty version.
    again = await upload(client, out.getvalue().encode("utf-8"))
    assert again.json()["code"] == "empty_version"


async def test_a_bad_row_rejects_the_whole_upload(client: AsyncClient) -> None:
    before_items = await items_as_of(client)
    lines = list(csv.reader(io.StringIO((await export(client, 1)).decode("utf-8-sig"))))
    lines[1][6] = "-5"  # row 2: a negative subsidy
    lines[4][3] = "7"  # row 5: level 7
    lines[6][4] = "juggling"  # row 7: an unknown training type
    lines.append(list(lines[10]))  # the last row repeats row 11
    lines[20][6] = str(int(lines[20][6]) + 100)  # a valid change that must not land
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    response = await upload(client, out.getvalue().encode("utf-8"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "catalogue_import_invalid"
    by_row = {(e["row"], e["column"]) for e in problem["errors"]}
    assert {(2, "subsidy_fen"), (5, "level"), (7, "training_types")} <= by_row
    assert (len(lines), "occupation_code") in by_row
    assert all(e["reason"] for e in problem["errors"])
    # Nothing changed: no new version, the same items.
    assert (await client.get("/v1/catalogue/versions")).json()["total"] == 1
    assert await items_as_of(client) == before_items


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"catalogue,occupation_code,level\ngeneral,4-03-02-01,5\n", "missing column"),
        (b"\xef\xbb\xbf", "empty"),
        (b"PK\x03\x04not really a workbook", "cannot be read"),
        (HEADER.encode() + b"\n", "no items"),
    ],
    ids=["missing-columns", "empty", "broken-xlsx", "header-only"],
)
async def test_unreadable_uploads(client: AsyncClient, content: bytes, reason: str) -> None:
    response = await upload(client, content)
    assert response.status_code == 422
    assert response.json()["code"] == "catalogue_import_invalid"
    assert any(reason in e["reason"] for e in response.json()["errors"])


async def test_xlsx_round_trip(client: AsyncClient) -> None:
    book = load_workbook(io.BytesIO(await export(client, 1, "xlsx")))
    sheet = book.worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == HEADER.split(",")
    assert len(table) == 63

    fresh = Workbook()
    out_sheet = fresh.active
    assert out_sheet is not None
    for row in table:
        if row[:4] == ["general", "4-03-02-01", "中式烹调师", 5]:
            row[6] = 125000
        out_sheet.append(row)
    buffer = io.BytesIO()
    fresh.save(buffer)
    response = await upload(client, buffer.getvalue(), name="目录.xlsx")
    assert response.status_code == 201, response.text
    assert (response.json()["source"], response.json()["changed"]) == ("xlsx", 1)
    assert (await items_as_of(client, **COOK))["items"][0]["subsidy_fen"] == 125000
    assert (await client.get("/v1/catalogue/versions/9/export")).json()["code"] == "not_found"
