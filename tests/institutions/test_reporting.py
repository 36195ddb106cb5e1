"""Quotas per unit and year, and monthly reports: draft, narrative, sign-off, deadlines."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from plumbing.clock import SHANGHAI, frozen_at
from plumbing.db import make_engine
from plumbing.principal import Principal
from services.institutions.main import create_app
from services.institutions.seed import seed_reference_data
from tests.institutions.conftest import CITY, PROBLEM, RENCHENG, WORKER
from tests.support import as_, committed_client

FINANCE = Principal(id=7, role="finance", username="finance-officer")
YANZHOU = Principal(id=8, role="government", username="yanzhou-officer", unit_code="yanzhou")
FIGURES = {"orders": {"selected": 3, "completed": 1}, "subsidy_paid_fen": 120000}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


async def test_quotas_2019_from_the_plan_and_later_years_entered(client: AsyncClient) -> None:
    y2019 = (await client.get("/v1/quotas/2019", headers=as_(CITY))).json()
    assert y2019["total"] == 15
    assert sum(i["quota"] for i in y2019["items"]) == 80000
    assert {i["source"] for i in y2019["items"]} == {"plan_csv"}

    before = (await client.get("/v1/quotas/2020", headers=as_(CITY))).json()
    assert {i["quota"] for i in before["items"]} == {None}
    put = await client.put("/v1/quotas/2020/rencheng", json={"quota": 9000}, headers=as_(CITY))
    assert put.status_code == 200, put.text
    again = await client.put("/v1/quotas/2020/rencheng", json={"quota": 9100}, headers=as_(CITY))
    assert again.json()["quota"] == 9100
    after = (await client.get("/v1/quotas/2020", headers=as_(CITY))).json()
    by_unit = {i["unit_code"]: i for i in after["items"]}
    assert by_unit["rencheng"]["quota"] == 9100
    assert by_unit["rencheng"]["source"] == "entered"
    assert by_unit["yanzhou"]["source"] == "missing"

    # A unit officer sees only their unit; the 2019 figures are the plan's, not editable.
    own = (await client.get("/v1/quotas/2020", headers=as_(RENCHENG))).json()
    assert [i["unit_code"] for i in own["items"]] == ["rencheng"]
    refused = await client.put("/v1/quotas/2021/rencheng", json={"quota": 1}, headers=as_(RENCHENG))
    assert refused.status_code == 403
    fixed = await client.put("/v1/quotas/2019/rencheng", json={"quota": 1}, headers=as_(CITY))
    assert (fixed.status_code, fixed.json()["code"]) == (422, "validation_failed")
    unknown = await client.put("/v1/quotas/2021/atlantis", json={"quota": 1}, headers=as_(CITY))
    assert unknown.status_code == 404
    negative = await client.put("/v1/quotas/2021/rencheng", json={"quota": -1}, headers=as_(CITY))
    assert negative.status_code == 422
    assert (await client.get("/v1/quotas/2020", headers=as_(WORKER))).status_code == 403


async def test_a_signed_off_report_is_locked_and_a_correction_is_a_new_revision(
    client: AsyncClient,
) -> None:
    body = {"unit_code": "rencheng", "month": "2019-07", "figures": FIGURES}
    draft = await client.post("/v1/monthly-reports", json=body, headers=as_(RENCHENG))
    assert draft.status_code == 201, draft.text
    report = draft.json()
    assert (report["revision"], report["status"]) == (1, "draft")
    # Regenerating a draft replaces its figures, it does not pile up revisions.
    newer = {**body, "figures": {**FIGURES, "subsidy_paid_fen": 150000}}
    regenerated = (
        await client.post("/v1/monthly-reports", json=newer, headers=as_(RENCHENG))
    ).json()
    assert (regenerated["id"], regenerated["revision"]) == (report["id"], 1)
    assert regenerated["figures"]["subsidy_paid_fen"] == 150000

    path = f"/v1/monthly-reports/{report['id']}"
    noted = await client.put(
        f"{path}/narrative", json={"narrative": "七月培训进展顺利。"}, headers=as_(RENCHENG)
    )
    assert noted.json()["narrative"] == "七月培训进展顺利。"
    other_unit = await client.post(f"{path}/sign-off", headers=as_(YANZHOU))
    assert other_unit.status_code == 403
    signed = await client.post(f"{path}/sign-off", headers=as_(RENCHENG))
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "locked"
    assert signed.json()["signed_off_by"] == RENCHENG.id

    for method, url, kw in (
        ("POST", f"{path}/sign-off", {}),
        ("PUT", f"{path}/narrative", {"json": {"narrative": "改一下"}}),
    ):
        late = await client.request(method, url, headers=as_(RENCHENG), **kw)
        assert late.status_code == 409, late.text
        assert late.headers["content-type"].startswith(PROBLEM)
        assert late.json()["code"] == "invalid_state"

    correction = await client.post(
        "/v1/monthly-reports",
        json={**body, "figures": {**FIGURES, "subsidy_paid_fen": 999}},
        headers=as_(RENCHENG),
    )
    assert correction.json()["revision"] == 2
    locked = (await client.get(path, headers=as_(CITY))).json()
    assert locked["figures"] == {**FIGURES, "subsidy_paid_fen": 150000}
    assert locked["narrative"] == "七月培训进展顺利。"

    revisions = await client.get(
        "/v1/monthly-reports", params={"month": "2019-07"}, headers=as_(FINANCE)
    )
    assert [(r["revision"], r["status"]) for r in revisions.json()["items"]] == [
        (1, "locked"),
        (2, "draft"),
    ]
    # A unit officer neither reads nor writes another unit's reports.
    assert (await client.get(path, headers=as_(YANZHOU))).status_code == 403
    assert (
        await client.post(
            "/v1/monthly-reports", json={**body, "unit_code": "yanzhou"}, headers=as_(RENCHENG)
        )
    ).status_code == 403
    mine = await client.get("/v1/monthly-reports", headers=as_(YANZHOU))
    assert mine.json()["items"] == []
    assert (
        await client.post("/v1/monthly-reports", json=body, headers=as_(FINANCE))
    ).status_code == 403
    bad_month = await client.post(
        "/v1/monthly-reports", json={**body, "month": "2019-13"}, headers=as_(RENCHENG)
    )
    assert bad_month.status_code == 422


async def test_late_and_missing_units_on_the_sixth(client: AsyncClient) -> None:
    """July's reports are due 5 August: rencheng signs on the 3rd, yanzhou on the 6th, qufu
    leaves a draft unsigned; on 6 August the city sees yanzhou late and 13 units missing."""

    async def sign(officer: Principal, unit: str, on: dt.date) -> None:
        with frozen_at(at(on)):
            body = {"unit_code": unit, "month": "2019-07", "figures": FIGURES}
            report = (
                await client.post("/v1/monthly-reports", json=body, headers=as_(officer))
            ).json()
            signed = await client.post(
                f"/v1/monthly-reports/{report['id']}/sign-off", headers=as_(officer)
            )
            assert signed.status_code == 200, signed.text

    await sign(RENCHENG, "rencheng", dt.date(2019, 8, 3))
    with frozen_at(at(dt.date(2019, 8, 4))):
        body = {"unit_code": "qufu", "month": "2019-07", "figures": FIGURES}
        assert (
            await client.post("/v1/monthly-reports", json=body, headers=as_(CITY))
        ).status_code == 201
    # On the 5th nobody is missing yet: the deadline is the end of the 5th.
    with frozen_at(at(dt.date(2019, 8, 5), hour=23)):
        fifth = (
            await client.get("/v1/monthly-reports/deadlines/2019-07", headers=as_(CITY))
        ).json()
    assert fifth["deadline_on"] == "2019-08-05"
    assert (fifth["late"], fifth["missing"]) == ([], [])
    await sign(YANZHOU, "yanzhou", dt.date(2019, 8, 6))
    # A correction of rencheng's report after the deadline does not make rencheng late.
    await sign(RENCHENG, "rencheng", dt.date(2019, 8, 6))

    with frozen_at(at(dt.date(2019, 8, 6), hour=17)):
        sixth = await client.get("/v1/monthly-reports/deadlines/2019-07", headers=as_(CITY))
    assert sixth.status_code == 200, sixth.text
    states = {i["unit_code"]: i["state"] for i in sixth.json()["items"]}
    assert states["rencheng"] == "on_time"
    assert sixth.json()["late"] == ["yanzhou"]
    assert "qufu" in sixth.json()["missing"]
    assert len(sixth.json()["missing"]) == 13
    assert (
        await client.get("/v1/monthly-reports/deadlines/2019-07", headers=as_(RENCHENG))
    ).status_code == 403


async def test_institutions_per_unit_and_status(client: AsyncClient) -> None:
    from tests.institutions.conftest import institution_body

    made = []
    for n in (1, 2, 3):
        r = await client.post("/v1/institutions", json=institution_body(n), headers=as_(CITY))
        assert r.status_code == 201, r.text
        made.append(r.json())
    suspended = await client.post(
        f"/v1/institutions/{made[0]['id']}/suspend",
        json={"reason": "教学检查不合格"},
        headers=as_(CITY),
    )
    assert suspended.status_code == 200, suspended.text
    body = (await client.get("/v1/institution-counts", headers=as_(CITY))).json()
    counts = {i["unit_code"]: i for i in body["items"]}
    assert len(counts) == 15
    assert counts["rencheng"] == {
        "unit_code": "rencheng",
        "active": 2,
        "suspended": 1,
        "revoked": 0,
    }
    assert counts["yanzhou"]["active"] == 0
    own = (await client.get("/v1/institution-counts", headers=as_(YANZHOU))).json()
    assert [i["unit_code"] for i in own["items"]] == ["yanzhou"]


async def test_racing_sign_offs_and_regenerations(backend: str, database_factory: Any) -> None:
    """Six sign-offs at once lock the report once; six regenerations racing after it leave
    one open draft (revision 2) and the locked revision as it was."""
    url = await database_factory("institutions", backend)
    engine = make_engine(url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        await seed_reference_data(session)
    await engine.dispose()
    body = {"unit_code": "rencheng", "month": "2019-09", "figures": FIGURES}
    async with committed_client(create_app(db_url=url), url, RENCHENG) as client:
        report = (await client.post("/v1/monthly-reports", json=body)).json()
        signs = await asyncio.gather(
            *(client.post(f"/v1/monthly-reports/{report['id']}/sign-off") for _ in range(6))
        )
        assert sorted(r.status_code for r in signs) == [200] + [409] * 5
        changed = {**body, "figures": {"orders": {"selected": 99}}}
        regenerated = await asyncio.gather(
            *(client.post("/v1/monthly-reports", json=changed) for _ in range(6))
        )
        assert {r.status_code for r in regenerated} <= {201, 409}
        assert any(r.status_code == 201 for r in regenerated)
        assert {r.json()["code"] for r in regenerated if r.status_code == 409} <= {"conflict"}
        listed = (await client.get("/v1/monthly-reports", params={"month": "2019-09"})).json()
        assert [(r["revision"], r["status"]) for r in listed["items"]] == [
            (1, "locked"),
            (2, "draft"),
        ]
        assert listed["items"][0]["figures"] == FIGURES
