"""Quota progress, monthly reports (lock, revision, city roll-up), exports and the chart,
through the gateway with the services over real HTTP. The unit is Liangshan, which no other
end-to-end test touches, so every figure below is known by hand."""

from __future__ import annotations

import csv
import io
import random
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import httpx
from openpyxl import load_workbook

from plumbing.clock import shanghai_today
from tests.e2e.client import ELDERLY_CARE, institution_with_clerk, list_offering, staff, worker

UNIT = "liangshan"


async def test_monthly_report_locks_exports_and_rolls_up(gateway: httpx.AsyncClient) -> None:
    city = await staff(gateway, "city-officer")
    finance = await staff(gateway, "finance-officer")
    rencheng = await staff(gateway, "rencheng-officer")
    institution_id, clerk = await institution_with_clerk(city, [(ELDERLY_CARE, 5)], UNIT)
    # Elderly care offers employment_skills|job_skill_upgrade|pre_job: the first unless told.
    assert (await list_offering(city, institution_id, unit_code=UNIT))["training_type"] == (
        "employment_skills"
    )
    offering = await list_offering(city, institution_id, unit_code=UNIT, training_type="pre_job")
    assert offering["training_type"] == "pre_job"
    today = shanghai_today()
    refused = await city.call(
        "POST",
        "/offerings",
        expect=409,
        json={
            "institution_id": institution_id,
            "occupation_code": ELDERLY_CARE,
            "level": 5,
            "unit_code": UNIT,
            "capacity": 5,
            "hours": 40,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "training_type": "technician",
        },
    )
    assert refused.json()["code"] == "training_type_not_offered"
    orders = []
    for _ in range(2):
        w = await worker(gateway, unit_code=UNIT)
        orders.append(
            await w.ok("POST", "/orders", expect=201, json={"offering_id": offering["id"]})
        )
    await clerk.ok("POST", f"/orders/{orders[0]['id']}/accept")
    month = shanghai_today().strftime("%Y-%m")

    report = await city.ok(
        "POST", "/reports/monthly", expect=201, json={"unit_code": UNIT, "month": month}
    )
    figures = report["figures"]
    assert (report["revision"], report["status"]) == (1, "draft")
    assert (figures["steps"]["selected"], figures["steps"]["accepted"]) == (2, 1)
    assert figures["by_group"] == [
        {
            "group": "unemployed",
            "selected": 2,
            "accepted": 1,
            "completed": 0,
            "certified": 0,
            "failed": 0,
            "dropped": 0,
        }
    ]
    assert figures["by_training_type"] == [
        {
            "training_type": "pre_job",
            "selected": 2,
            "accepted": 1,
            "completed": 0,
            "certified": 0,
            "failed": 0,
            "dropped": 0,
        }
    ]
    assert figures["institutions"] == {"active": 1, "suspended": 0, "revoked": 0}
    assert figures["money"] is None  # government does not see the money columns
    assert figures["unit_name"] == "梁山县"
    # A county officer reports only for their own unit.
    await rencheng.call(
        "POST", "/reports/monthly", expect=403, json={"unit_code": UNIT, "month": month}
    )

    path = f"/reports/monthly/{report['id']}"
    await city.ok("PUT", f"{path}/narrative", json={"narrative": "本月开班一期。"})
    signed = await city.ok("POST", f"{path}/sign-off")
    assert signed["status"] == "locked"

    # New transactions after the sign-off leave the locked revision exactly as it was.
    await clerk.ok("POST", f"/orders/{orders[1]['id']}/accept")
    assert await city.ok("GET", path) == signed
    again = await city.call("POST", f"{path}/sign-off", expect=409)
    assert again.json()["code"] == "invalid_state"
    correction = await city.ok(
        "POST", "/reports/monthly", expect=201, json={"unit_code": UNIT, "month": month}
    )
    assert correction["revision"] == 2
    assert correction["figures"]["steps"]["accepted"] == 2

    # Finance sees the money; the XLSX holds the same numbers as the JSON.
    seen = await finance.ok("GET", path)
    assert seen["figures"]["money"] == {"subsidy_paid_fen": 0, "by_source": [], "by_kind": []}
    xlsx = await finance.call("GET", f"{path}/export", expect=200, params={"format": "xlsx"})
    disposition = xlsx.headers["content-disposition"]
    assert f"filename*=UTF-8''{quote(f'梁山县-{month}-月报-第1版.xlsx')}" in disposition
    assert f'filename="monthly-report-{UNIT}-{month}-r1.xlsx"' in disposition
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [
        "概况",
        "五单进度",
        "按人群",
        "按工种等级",
        "按培训类型",
        "补贴拨付",
        "培训机构",
    ]
    assert list(book["按培训类型"].iter_rows(min_row=2, values_only=True)) == [
        ("岗前培训", 2, 1, 0, 0, 0, 0)
    ]
    steps = {row[0]: row[1] for row in book["五单进度"].iter_rows(min_row=2, values_only=True)}
    assert steps["选单"] == seen["figures"]["steps"]["selected"] == 2
    assert steps["接单"] == seen["figures"]["steps"]["accepted"] == 1
    assert book["五单进度"]["B2"].number_format == "#,##0"
    groups = list(book["按人群"].iter_rows(min_row=2, values_only=True))
    assert groups == [("失业人员", 2, 1, 0, 0, 0, 0)]
    trades = list(book["按工种等级"].iter_rows(min_row=2, values_only=True))
    assert [(t[0], t[2], t[3]) for t in trades] == [(ELDERLY_CARE, 5, 2)]
    assert book["补贴拨付"]["C2"].value == 0
    assert book["补贴拨付"]["C2"].number_format == "#,##0.00"
    assert book["概况"]["B7"].value == "本月开班一期。"
    # Government's export has no money sheet.
    plain = await city.call("GET", f"{path}/export", expect=200, params={"format": "xlsx"})
    assert "补贴拨付" not in load_workbook(io.BytesIO(plain.content)).sheetnames

    exported = await city.call("GET", f"{path}/export", expect=200, params={"format": "csv"})
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["【概况】"]
    assert ["选单", "2"] in rows
    assert ["接单", "1"] in rows

    # The city report adds up the latest signed-off revision of each unit.
    rollup = await finance.ok("GET", f"/reports/monthly/city/{month}")
    assert UNIT in rollup["units_reported"]
    assert report["id"] in rollup["report_ids"]
    assert rollup["steps"]["accepted"] >= 1
    assert {t["training_type"]: t for t in rollup["by_training_type"]}["pre_job"]["selected"] >= 2
    await rencheng.call("GET", f"/reports/monthly/city/{month}", expect=403)
    city_file = await finance.call(
        "GET", f"/reports/monthly/city/{month}/export", expect=200, params={"format": "xlsx"}
    )
    city_book = load_workbook(io.BytesIO(city_file.content))
    city_steps = {r[0]: r[1] for r in city_book["五单进度"].iter_rows(min_row=2, values_only=True)}
    assert city_steps["接单"] == rollup["steps"]["accepted"]
    assert city_book["补贴拨付"]["C2"].value == rollup["money"]["subsidy_paid_fen"] / 100
    assert quote(f"济宁市-{month}-月报.xlsx") in city_file.headers["content-disposition"]
    deadlines = await city.ok("GET", f"/reports/monthly/deadlines/{month}")
    assert {i["unit_code"]: i["state"] for i in deadlines["items"]}[UNIT] == "on_time"
    listed = await rencheng.ok("GET", "/reports/monthly", params={"month": month})
    assert all(r["unit_code"] == "rencheng" for r in listed["items"])


async def test_quota_progress_and_chart(gateway: httpx.AsyncClient) -> None:
    city = await staff(gateway, "city-officer")
    finance = await staff(gateway, "finance-officer")
    rencheng = await staff(gateway, "rencheng-officer")
    year = shanghai_today().year

    q2019 = await city.ok("GET", "/quotas/2019")
    assert sum(i["quota"] for i in q2019["items"]) == 80_000
    await city.ok("PUT", f"/quotas/{year}/{UNIT}", json={"quota": 6000})
    await rencheng.call("PUT", f"/quotas/{year}/{UNIT}", expect=403, json={"quota": 1})

    progress: dict[str, Any] = await finance.ok(
        "GET", "/reports/quota-progress", params={"year": year}
    )
    rows = {r["unit_code"]: r for r in progress["items"]}
    assert len(rows) == 15
    assert rows[UNIT]["quota"] == 6000
    assert rows[UNIT]["steps"]["completed"] == 0
    assert rows[UNIT]["progress_pct"] == 0
    assert rows[UNIT]["behind_pace"] is (rows[UNIT]["expected_pct"] > 0)
    assert rows[UNIT]["money"] is not None
    assert progress["three_year"]["target"] == 250_000
    assert progress["city"]["steps"]["selected"] == sum(
        r["steps"]["selected"] for r in rows.values()
    )
    goals = {g["group"]: g["goal"] for g in progress["by_group"]}
    assert (goals["enterprise_employee"], goals["veteran"], goals["poor_labour"]) == (
        30_000,
        1_000,
        None,
    )

    exported = await finance.call(
        "GET", "/reports/quota-progress/export", expect=200, params={"year": year, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(exported.content))[f"{year}年各单位进度"]
    header = [c.value for c in sheet[1]]
    by_code = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert by_code[UNIT]["任务数"] == 6000
    assert by_code[UNIT]["选单"] == rows[UNIT]["steps"]["selected"]
    assert by_code["city"]["选单"] == progress["city"]["steps"]["selected"]
    assert (
        by_code["city"]["已拨付补贴（元）"] == progress["city"]["money"]["subsidy_paid_fen"] / 100
    )
    as_csv = await city.call(
        "GET", "/reports/quota-progress/export", expect=200, params={"year": year, "format": "csv"}
    )
    assert as_csv.content.startswith("\ufeff".encode())
    assert "已拨付补贴（元）" not in as_csv.content.decode("utf-8-sig")  # money is finance's

    own = await rencheng.ok("GET", "/reports/quota-progress", params={"year": 2019})
    assert [r["unit_code"] for r in own["items"]] == ["rencheng"]
    assert own["items"][0]["quota"] == 7500
    assert own["items"][0]["money"] is None
    assert (own["city"], own["three_year"]) == (None, None)

    chart = await city.call(
        "GET", "/reports/quota-progress/chart.svg", expect=200, params={"year": year}
    )
    assert chart.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(chart.text)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert "梁山县" in chart.text
    assert "0 / 6,000" in chart.text
    bad = await city.call("GET", "/reports/quota-progress", expect=422, params={"year": 1999})
    assert bad.json()["code"] == "validation_failed"

    # Liangshan, with a quota and nothing completed, is behind its pace on the alerts.
    alerts = await city.ok("GET", "/supervision/alerts")
    behind = {a["unit_code"]: a for a in alerts["items"] if a["kind"] == "behind_pace"}
    assert (UNIT in behind) is rows[UNIT]["behind_pace"]
    if UNIT in behind:
        assert behind[UNIT]["links"] == [f"/api/v1/reports/quota-progress?year={year}"]
    mine = await rencheng.ok("GET", "/supervision/alerts")
    assert {a["unit_code"] for a in mine["items"]} <= {"rencheng", None}
    await finance.call("GET", "/supervision/alerts", expect=403)
    # Three workers giving one phone are a row, the phone masked, never in clear.
    phone = f"137{random.randint(0, 99_999_999):08d}"
    for _ in range(3):
        await worker(gateway, unit_code=UNIT, phone=phone)
    response = await city.call("GET", "/supervision/alerts", expect=200)
    masked = f"{phone[:3]}****{phone[-4:]}"
    assert [a["kind"] for a in response.json()["items"] if masked in a["detail"]] == [
        "shared_phone"
    ]
    assert phone not in response.text
    # Issue 3's rating watch list is still there.
    await city.ok("GET", "/supervision/watch-list")
