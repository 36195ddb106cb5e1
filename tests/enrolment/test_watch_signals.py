"""Signals of the supervision watch list from enrolment's data, with hand-counted rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from plumbing.clock import SHANGHAI, shanghai_today
from services.enrolment.main import create_app
from services.enrolment.stats import watch
from services.enrolment.workers.models import WorkerProfile
from services.enrolment.workers.service import backfill_phone_hashes
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
    select,
    worker,
)
from tests.enrolment.payments import client_with, settings
from tests.support import as_, rollback_client


def evening(hour: int) -> str:
    when = dt.datetime.combine(shanghai_today(), dt.time(hour))
    return when.replace(tzinfo=SHANGHAI).isoformat()


async def test_all_pass_institutions_shared_devices_flags_and_claims_due(
    enrolment_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rule is "all of N or more candidates passed"; N is 30 in service, 2 here.
    assert watch.PASS_RATE_MIN_CANDIDATES == 30
    monkeypatch.setattr(watch, "PASS_RATE_MIN_CANDIDATES", 2)
    async with client_with(enrolment_url, claim_deadline_days=10) as client:
        # Institution 1: two candidates, both certified -> flagged, and both orders have
        # no claim yet, due 10 days after completion -> two claims due.
        care = await make_offering(client)
        for n in (21, 22):
            order = await make_order(client, worker(n), care)
            await advance(client, order["id"], "certified", worker(n))
        # Two more of its candidates in yanzhou (out of a rencheng officer's sight): one
        # certified now, one completed who fails the evaluation at the end of the test.
        other = await make_offering(client, unit_code="yanzhou")
        passed = await make_order(client, worker(23), other)
        failing = await make_order(client, worker(24), other)
        await advance(client, passed["id"], "certified", worker(23))
        await advance(client, failing["id"], "completed")
        # Three workers learning on one tablet, at different hours of the evening.
        shared = await make_offering(client, occupation_code="6-31-01-03", level=4)
        device_orders = []
        for n, hour in ((25, 18), (26, 20), (27, 22)):
            order = await make_order(client, worker(n), shared)
            await client.post(f"/v1/orders/{order['id']}/accept", headers=as_(INSTITUTION))
            session = await client.post(
                f"/v1/orders/{order['id']}/learning-sessions",
                json={
                    "channel": "app",
                    "started_at": evening(hour),
                    "ended_at": evening(hour + 1),
                    "device_id": "tablet-9",
                },
                headers=as_(worker(n)),
            )
            assert session.status_code == 201, session.text
            device_orders.append(order["id"])

        body = (await client.get("/v1/stats/watch", headers=as_(CITY))).json()
        assert body["pass_rates"] == [{"institution_id": 1, "candidates": 3, "passed": 3}]
        assert body["shared_devices"] == [
            {"device_id": "tablet-9", "workers": 3, "order_ids": device_orders}
        ]
        assert {f["order_id"] for f in body["learning_flags"]} == set(device_orders)
        assert "shared_device" in {f["kind"] for f in body["learning_flags"]}
        due = {c["order_id"]: c for c in body["claims_due"]}
        # Three certified and one completed order have no claim; all are due in 10 days.
        assert len(due) == 4
        assert {c["days_left"] for c in due.values()} == {9}

        yz = (await client.get("/v1/stats/watch", headers=as_(YANZHOU))).json()
        assert (yz["pass_rates"], yz["shared_devices"], yz["learning_flags"]) == ([], [], [])
        assert {c["order_id"] for c in yz["claims_due"]} == {passed["id"], failing["id"]}
        ren = (await client.get("/v1/stats/watch", headers=as_(RENCHENG))).json()
        assert len(ren["claims_due"]) == 2
        assert ren["pass_rates"] == [{"institution_id": 1, "candidates": 2, "passed": 2}]
        assert (await client.get("/v1/stats/watch", headers=as_(FINANCE))).status_code == 403

        # One failure among the candidates: the pass rate is no longer suspicious.
        r = await client.post(
            f"/v1/orders/{failing['id']}/evaluation",
            json={"passed": False, "certificate_number": None, "result_id": 9},
            headers=as_(EVALUATOR),
        )
        assert r.json()["status"] == "failed"
        after = (await client.get("/v1/stats/watch", headers=as_(CITY))).json()
        assert after["pass_rates"] == []
        assert failing["id"] not in {c["order_id"] for c in after["claims_due"]}


async def test_many_workers_sharing_a_phone(enrolment_url: str) -> None:
    async with client_with(enrolment_url) as client:
        # A clean set: four workers, four phones -> no row.
        for n in (31, 32, 33, 34):
            await make_profile(client, worker(n), phone=f"1390000{n:04d}")
        clean = (await client.get("/v1/stats/watch", headers=as_(CITY))).json()
        assert clean["shared_phones"] == []

        # One phone, written three ways, on three profiles: two in rencheng, one in yanzhou.
        for n, phone, unit in (
            (41, "13800001111", "rencheng"),
            (42, "+86 138-0000-1111", "rencheng"),
            (43, "138 0000 1111", "yanzhou"),
        ):
            await make_profile(client, worker(n), phone=phone, unit_code=unit)
        offering = await make_offering(client)
        orders = []
        for n in (41, 43):
            r = await select(client, worker(n), offering["id"])
            assert r.status_code == 201, r.text
            orders.append(r.json()["id"])

        response = await client.get("/v1/stats/watch", headers=as_(CITY))
        assert response.json()["shared_phones"] == [
            {
                "phone_masked": "138****1111",
                "workers": 3,
                "worker_ids": [41, 42, 43],
                "order_ids": orders,
            }
        ]
        # Neither the clear phone nor its keyed hash (64 hex digits) leaves the service.
        assert "13800001111" not in response.text
        assert not re.search(r"[0-9a-f]{64}", response.text)

        # A unit officer counts their unit's profiles only: two in rencheng is below three.
        ren = (await client.get("/v1/stats/watch", headers=as_(RENCHENG))).json()
        assert ren["shared_phones"] == []

        # A worker changing their phone leaves the group, which falls below the threshold.
        await make_profile(client, worker(42), phone="13700002222")
        after = (await client.get("/v1/stats/watch", headers=as_(CITY))).json()
        assert after["shared_phones"] == []

    # The threshold is a setting: two profiles on one phone are enough at 2.
    async with client_with(enrolment_url, shared_phone_min_workers=2) as client:
        for n in (51, 52):
            await make_profile(client, worker(n), phone="13600003333")
        ren = (await client.get("/v1/stats/watch", headers=as_(RENCHENG))).json()
        assert [(p["worker_ids"], p["order_ids"]) for p in ren["shared_phones"]] == [([51, 52], [])]


async def test_profiles_saved_before_the_phone_hash_are_backfilled(enrolment_url: str) -> None:
    app = create_app(settings())
    async with rollback_client(app, enrolment_url) as client:
        for n in (61, 62, 63):
            await make_profile(client, worker(n), phone="13500004444")
        # As left by enrolment_0004 on profiles saved before it: no hash, so not counted.
        async with app.state.sessionmaker() as session:
            await session.execute(update(WorkerProfile).values(phone_hash=None))
            await session.commit()
        before = (await client.get("/v1/stats/watch", headers=as_(CITY))).json()
        assert before["shared_phones"] == []

        async with app.state.sessionmaker() as session:
            assert await backfill_phone_hashes(session, app.state.cipher, batch=2) == 3
            assert await backfill_phone_hashes(session, app.state.cipher) == 0
        after = (await client.get("/v1/stats/watch", headers=as_(CITY))).json()
        assert [p["worker_ids"] for p in after["shared_phones"]] == [[61, 62, 63]]
