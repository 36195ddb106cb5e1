"""The per-unit figures of quota progress and monthly reports, from a known set of
transactions whose expected numbers are worked out by hand below."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient

from plumbing.clock import shanghai_today
from tests.enrolment.helpers import (
    CITY,
    EVALUATOR,
    FINANCE,
    INSTITUTION,
    RENCHENG,
    YANZHOU,
    advance,
    make_offering,
    make_order,
    make_profile,
    offering_body,
    select,
    worker,
)
from tests.enrolment.payments import approve, client_with, deposit
from tests.support import as_

ELECTRICIAN = {"occupation_code": "6-31-01-03", "occupation_name": "电工", "level": 4}


async def figures(client: AsyncClient, who: Any = CITY, **params: Any) -> Any:
    today = shanghai_today().isoformat()
    response = await client.get(
        "/v1/stats/units", params={"from_on": today, "to_on": today, **params}, headers=as_(who)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_figures_per_unit_group_trade_and_source(enrolment_url: str) -> None:
    async with client_with(enrolment_url) as client:
        await deposit(client, 1_000_000)
        care = await make_offering(client)
        # The electrician course is listed as skill upgrading; the others keep the default.
        electric = await make_offering(
            client, **ELECTRICIAN, subsidy_fen=200_000, training_type="job_skill_upgrade"
        )
        assert (care["training_type"], electric["training_type"]) == (
            "employment_skills",
            "job_skill_upgrade",
        )
        unknown = await client.post(
            "/v1/offerings",
            json=offering_body(training_type="knitting"),
            headers=as_(CITY),
        )
        assert unknown.status_code == 422
        yanzhou = await make_offering(client, unit_code="yanzhou")
        # w1 unemployed: elderly care, certified, claim paid 1,500 yuan.
        # w2 migrant worker: elderly care, accepted.
        # w3 migrant worker: electrician, completed then failed the evaluation.
        # w4 unemployed (yanzhou): selected only. w1 also files a request in rencheng.
        w1, w2, w3, w4 = (worker(n) for n in (11, 12, 13, 14))
        o1 = await make_order(client, w1, care)
        await make_profile(client, w2, group="migrant_worker")
        await make_profile(client, w3, group="migrant_worker")
        o2 = (await select(client, w2, care["id"])).json()
        o3 = (await select(client, w3, electric["id"])).json()
        await make_order(client, w4, yanzhou)
        r = await client.post(
            "/v1/requests",
            json={"occupation_code": "4-02-02-01", "level": 5, "unit_code": "rencheng"},
            headers=as_(w1),
        )
        assert r.status_code == 201, r.text
        claim = await advance(client, o1["id"], "claimed", w1)
        await approve(client, claim["id"])
        paid = await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE))
        assert paid.status_code == 200, paid.text
        await advance(client, o2["id"], "accepted")
        await advance(client, o3["id"], "completed", first_day=10)
        failed = await client.post(
            f"/v1/orders/{o3['id']}/evaluation",
            json={"passed": False, "certificate_number": None, "result_id": 3},
            headers=as_(EVALUATOR),
        )
        assert failed.json()["status"] == "failed"

        body = await figures(client)
        units = {u["unit_code"]: u for u in body["items"]}
        assert set(units) == {"rencheng", "yanzhou"}
        ren = units["rencheng"]
        assert {k: ren[k] for k in ("requests", "selected", "accepted", "completed")} == {
            "requests": 1,
            "selected": 3,  # o1, o2, o3
            "accepted": 3,
            "completed": 2,  # o1, o3
        }
        assert (ren["certified"], ren["failed"], ren["dropped"], ren["paid"]) == (1, 1, 0, 1)
        assert ren["subsidy_paid_fen"] == 150_000
        assert ren["paid_by_source"] == [{"source": "special_training", "amount_fen": 150_000}]
        assert ren["paid_by_kind"] == [{"source": "training", "amount_fen": 150_000}]
        groups = {g["group"]: g for g in ren["by_group"]}
        assert (groups["unemployed"]["selected"], groups["unemployed"]["certified"]) == (1, 1)
        assert groups["migrant_worker"]["selected"] == 2
        assert groups["migrant_worker"]["accepted"] == 2
        assert groups["migrant_worker"]["failed"] == 1
        trades = {(t["occupation_code"], t["level"]): t for t in ren["by_trade"]}
        assert trades[("4-10-01-05", 5)]["selected"] == 2
        assert trades[("6-31-01-03", 4)]["occupation_name"] == "电工"
        assert trades[("6-31-01-03", 4)]["completed"] == 1
        # By the offering's training type: care (o1 certified, o2 accepted) is employment
        # skills; the electrician course (o3 completed, failed) is skill upgrading.
        counts = ("selected", "accepted", "completed", "certified", "failed", "dropped")
        assert ren["by_training_type"] == [
            {
                "training_type": "employment_skills",
                **dict(zip(counts, (2, 2, 1, 1, 0, 0), strict=True)),
            },
            {
                "training_type": "job_skill_upgrade",
                **dict(zip(counts, (1, 1, 1, 0, 1, 0), strict=True)),
            },
        ]
        yz = units["yanzhou"]
        assert (yz["selected"], yz["accepted"], yz["subsidy_paid_fen"]) == (1, 0, 0)

        # A period without transactions counts nothing; a unit officer sees their unit only.
        tomorrow = (shanghai_today() + dt.timedelta(days=1)).isoformat()
        empty = await figures(client, from_on=tomorrow, to_on=tomorrow)
        assert empty["items"] == []
        mine = await figures(client, YANZHOU)
        assert [u["unit_code"] for u in mine["items"]] == ["yanzhou"]
        assert (await figures(client, FINANCE, unit_code="rencheng"))["items"][0]["paid"] == 1
        other = await client.get(
            "/v1/stats/units",
            params={"from_on": tomorrow, "to_on": tomorrow, "unit_code": "yanzhou"},
            headers=as_(RENCHENG),
        )
        assert other.status_code == 403
        backwards = await client.get(
            "/v1/stats/units",
            params={"from_on": tomorrow, "to_on": "2019-01-01"},
            headers=as_(CITY),
        )
        assert backwards.status_code == 422
        assert (
            await client.get(
                "/v1/stats/units",
                params={"from_on": tomorrow, "to_on": tomorrow},
                headers=as_(INSTITUTION),
            )
        ).status_code == 403
