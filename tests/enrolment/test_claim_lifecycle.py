"""Order 5 end to end at service level: every claim state, objections during the public
notice on a controlled clock, maker-checker refusals, claim kinds and the clawback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from httpx import AsyncClient

from plumbing import clock
from services.enrolment.audit.service import verify
from services.enrolment.claims.calendar import add_working_days, is_working_day
from services.enrolment.ledger.check import ledger_check
from tests.enrolment.helpers import (
    CITY,
    FINANCE,
    FINANCE_2,
    INSTITUTION,
    OTHER_INSTITUTION,
    RENCHENG,
    advance,
    make_order,
    make_profile,
    problem,
    worker,
)
from tests.enrolment.payments import approve, balance, client_with, deposit, review
from tests.support import as_

KEY = "dev-audit-key-change-me"


def test_working_days_skip_weekends_holidays_and_count_make_up_days() -> None:
    assert not is_working_day(dt.date(2024, 10, 1))  # National Day
    assert not is_working_day(dt.date(2024, 9, 28))  # Saturday
    assert is_working_day(dt.date(2024, 9, 29))  # Sunday, a make-up working day
    # Friday 27 Sep 2024 + 5: 29 Sep, 30 Sep, (1–7 Oct off), 8, 9, 10 Oct.
    assert add_working_days(dt.date(2024, 9, 27), 5) == dt.date(2024, 10, 10)
    assert add_working_days(dt.date(2025, 3, 3), 5) == dt.date(2025, 3, 10)
    assert add_working_days(dt.date(2025, 3, 3), 0) == dt.date(2025, 3, 3)


def _today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "shanghai_today", lambda: day)


async def _claim(client: AsyncClient, n: int) -> dict[str, Any]:
    order = await make_order(client, worker(n))
    return await advance(client, order["id"], "claimed")


async def _check_books(client: AsyncClient) -> None:
    async with client._transport.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        report = await verify(session, KEY)
        books = await ledger_check(session)
    assert report.ok, report
    assert books.balanced, books


async def test_a_claim_through_every_state(
    enrolment_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with client_with(
        enrolment_url, public_notice_days=5, countersign_above_fen=100_000
    ) as client:
        claim = await _claim(client, 4101)
        cid = claim["id"]
        assert claim["status"] == "submitted"
        assert claim["needs_countersign"] is True  # 150,000 fen > 100,000

        # submitted: nothing but review (or rejection) is possible
        for url, who in ((f"/v1/claims/{cid}/approve", CITY), (f"/v1/claims/{cid}/pay", FINANCE)):
            body = problem(await client.post(url, headers=as_(who)), 409, "invalid_state")
            assert body["current_status"] == "submitted"
        problem(
            await client.post(
                f"/v1/claims/{cid}/objections", json={"reason": "x"}, headers=as_(worker(9))
            ),
            409,
            "public_notice_closed",
        )
        problem(
            await client.post(f"/v1/claims/{cid}/review", headers=as_(FINANCE)), 403, "forbidden"
        )

        # review on Friday 27 Sep 2024: five working days run to 10 Oct (holidays skipped)
        _today(monkeypatch, dt.date(2024, 9, 27))
        reviewed = await review(client, cid, RENCHENG)
        assert reviewed["status"] == "in_public_notice"
        assert reviewed["notice_ends_on"] == "2024-10-10"
        _today(monkeypatch, dt.date(2024, 10, 10))
        body = problem(
            await client.post(f"/v1/claims/{cid}/approve", headers=as_(CITY)),
            409,
            "public_notice_running",
        )
        assert body["notice_ends_on"] == "2024-10-10"

        # objections: anyone logged in, even outside the claim's scope
        objections = []
        for who in (worker(4999), OTHER_INSTITUTION):
            r = await client.post(
                f"/v1/claims/{cid}/objections", json={"reason": "未见其上课"}, headers=as_(who)
            )
            assert r.status_code == 201, r.text
            objections.append(r.json())
        assert objections[0]["status"] == "open"
        decide = f"/v1/objections/{objections[0]['id']}/decide"
        problem(
            await client.post(
                decide, json={"uphold": False, "reason": "核实属实"}, headers=as_(FINANCE)
            ),
            403,
            "forbidden",
        )
        dismissed = await client.post(
            decide, json={"uphold": False, "reason": "考勤记录完整"}, headers=as_(CITY)
        )
        assert dismissed.json()["status"] == "dismissed"
        assert dismissed.json()["decided_by"] == CITY.id
        problem(
            await client.post(decide, json={"uphold": True, "reason": "再议"}, headers=as_(CITY)),
            409,
            "invalid_state",
        )

        # the notice closes; the open objection still blocks approval
        _today(monkeypatch, dt.date(2024, 10, 11))
        problem(
            await client.post(
                f"/v1/claims/{cid}/objections", json={"reason": "迟到"}, headers=as_(worker(9))
            ),
            409,
            "public_notice_closed",
        )
        problem(
            await client.post(f"/v1/claims/{cid}/approve", headers=as_(CITY)),
            409,
            "objections_open",
        )
        await client.post(
            f"/v1/objections/{objections[1]['id']}/decide",
            json={"uphold": False, "reason": "无证据"},
            headers=as_(CITY),
        )
        listed = await client.get(f"/v1/claims/{cid}/objections", headers=as_(CITY))
        assert [o["status"] for o in listed.json()] == ["dismissed", "dismissed"]

        # maker-checker and money
        problem(
            await client.post(f"/v1/claims/{cid}/approve", headers=as_(RENCHENG)),
            403,
            "same_person",
        )
        problem(
            await client.post(f"/v1/claims/{cid}/approve", headers=as_(CITY)),
            409,
            "insufficient_funds",
        )
        await deposit(client, 1_000_000)
        approved = await client.post(f"/v1/claims/{cid}/approve", headers=as_(CITY))
        assert approved.json()["status"] == "approved"
        assert (await balance(client))["held_fen"] == 150_000
        problem(
            await client.post(f"/v1/claims/{cid}/pay", headers=as_(FINANCE)),
            409,
            "countersign_required",
        )
        signed = await client.post(f"/v1/claims/{cid}/countersign", headers=as_(FINANCE))
        assert signed.json()["countersigned_by"] == FINANCE.id
        problem(
            await client.post(f"/v1/claims/{cid}/countersign", headers=as_(FINANCE_2)),
            409,
            "invalid_state",
        )
        problem(
            await client.post(f"/v1/claims/{cid}/pay", headers=as_(FINANCE)), 403, "same_person"
        )
        paid = await client.post(f"/v1/claims/{cid}/pay", headers=as_(FINANCE_2))
        assert paid.json()["status"] == "paid"
        assert paid.json()["paid_by"] == FINANCE_2.id
        after = await balance(client)
        assert (after["balance_fen"], after["held_fen"]) == (850_000, 0)
        problem(
            await client.post(f"/v1/claims/{cid}/pay", headers=as_(FINANCE)), 409, "already_paid"
        )
        problem(
            await client.post(f"/v1/claims/{cid}/reject", json={"reason": "x"}, headers=as_(CITY)),
            409,
            "invalid_state",
        )

        # clawback: new entries, a receivable, nothing edited
        clawed = await client.post(
            f"/v1/claims/{cid}/claw-back", json={"reason": "证书已撤销"}, headers=as_(FINANCE)
        )
        assert clawed.json()["status"] == "clawed_back"
        assert clawed.json()["reason"] == "证书已撤销"
        entries = (await client.get("/v1/funds/ledger", headers=as_(FINANCE))).json()["items"]
        mine = {(e["kind"], e["account"], e["amount_fen"]) for e in entries if e["claim_id"] == cid}
        assert mine == {
            ("payment", "payable:institution:1", 150_000),
            ("payment", "special:special_training", -150_000),
            ("reversal", "special:special_training", 150_000),
            ("reversal", "payable:institution:1", -150_000),
            ("receivable", "receivable:institution:1", 150_000),
            ("receivable", "special:special_training", -150_000),
        }
        assert (await balance(client))["balance_fen"] == 850_000
        problem(
            await client.post(
                f"/v1/claims/{cid}/claw-back", json={"reason": "x"}, headers=as_(FINANCE)
            ),
            409,
            "invalid_state",
        )

        # an upheld objection rejects the claim
        other = await _claim(client, 4102)
        _today(monkeypatch, dt.date(2025, 3, 3))
        await review(client, other["id"])
        objection = await client.post(
            f"/v1/claims/{other['id']}/objections",
            json={"reason": "冒名顶替"},
            headers=as_(worker(4998)),
        )
        upheld = await client.post(
            f"/v1/objections/{objection.json()['id']}/decide",
            json={"uphold": True, "reason": "查实冒名"},
            headers=as_(CITY),
        )
        assert upheld.json()["status"] == "upheld"
        rejected = await client.get(f"/v1/claims/{other['id']}", headers=as_(CITY))
        assert rejected.json()["status"] == "rejected"
        assert "查实冒名" in rejected.json()["reason"]
        await _check_books(client)


async def test_rejecting_an_approved_claim_voids_its_hold(enrolment_url: str) -> None:
    async with client_with(enrolment_url) as client:
        await deposit(client, 400_000)
        claims = [await _claim(client, 4200 + i) for i in range(3)]
        for c in claims[:2]:
            await approve(client, c["id"])
        await review(client, claims[2]["id"])
        # 400,000 − 2 × 150,000 held = 100,000 available: the third does not fit
        problem(
            await client.post(f"/v1/claims/{claims[2]['id']}/approve", headers=as_(CITY)),
            409,
            "insufficient_funds",
        )
        await client.post(
            f"/v1/claims/{claims[0]['id']}/reject", json={"reason": "重复"}, headers=as_(CITY)
        )
        assert (await balance(client))["available_fen"] == 250_000
        third = await client.post(f"/v1/claims/{claims[2]['id']}/approve", headers=as_(CITY))
        assert third.json()["status"] == "approved"
        await _check_books(client)


async def test_claim_kinds(enrolment_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with client_with(enrolment_url, living_cost_daily_fen=5_000) as client:
        w = worker(4301)
        order = await make_order(client, w)
        await advance(client, order["id"], "certified")
        url = f"/v1/orders/{order['id']}/claims"
        problem(
            await client.post(
                url, json={"kind": "training", "amount_fen": 1}, headers=as_(INSTITUTION)
            ),
            422,
            "validation_failed",
        )
        problem(
            await client.post(url, json={"kind": "evaluation"}, headers=as_(INSTITUTION)),
            409,
            "not_entitled",
        )
        evaluation = await client.post(
            url, json={"kind": "evaluation", "amount_fen": 20_000}, headers=as_(INSTITUTION)
        )
        assert evaluation.status_code == 201, evaluation.text
        assert (evaluation.json()["kind"], evaluation.json()["amount_fen"]) == (
            "evaluation",
            20_000,
        )
        problem(
            await client.post(
                url, json={"kind": "evaluation", "amount_fen": 20_000}, headers=as_(INSTITUTION)
            ),
            409,
            "already_claimed",
        )
        # the living-cost subsidy: the worker's own, per attended day (advance() attends 8)
        living = await client.post(url, json={"kind": "living_cost"}, headers=as_(w))
        assert living.status_code == 201, living.text
        assert living.json()["payee_kind"] == "worker"
        assert living.json()["payee_id"] == w.id
        assert living.json()["amount_fen"] == 8 * 5_000
        training = await client.post(url, headers=as_(INSTITUTION))
        assert training.json()["kind"] == "training"
        assert training.json()["payee_kind"] == "institution"
        # at most once a year per worker
        second = await make_order(client, w, occupation_code="6-31-01-03")
        await advance(client, second["id"], "completed", first_day=8)
        problem(
            await client.post(
                f"/v1/orders/{second['id']}/claims", json={"kind": "living_cost"}, headers=as_(w)
            ),
            409,
            "already_claimed",
        )
        # a group that does not receive it
        student = worker(4302)
        third = await make_order(client, student)
        await make_profile(client, student, group="college_student")
        await advance(client, third["id"], "completed")
        problem(
            await client.post(
                f"/v1/orders/{third['id']}/claims",
                json={"kind": "living_cost"},
                headers=as_(student),
            ),
            409,
            "not_entitled",
        )
        problem(
            await client.post(
                f"/v1/orders/{third['id']}/claims", json={"kind": "living_cost"}, headers=as_(w)
            ),
            404,
            "not_found",
        )


async def test_the_claim_deadline(enrolment_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with client_with(enrolment_url, claim_deadline_days=30) as client:
        order = await make_order(client, worker(4401))
        await advance(client, order["id"], "certified")
        later = clock.utcnow() + dt.timedelta(days=31)
        monkeypatch.setattr(clock, "utcnow", lambda: later)
        body = problem(
            await client.post(f"/v1/orders/{order['id']}/claims", headers=as_(INSTITUTION)),
            409,
            "claim_deadline_passed",
        )
        assert "due by" in body["detail"]


async def test_the_worker_is_paid_where_the_programme_pays_individuals(enrolment_url: str) -> None:
    async with client_with(enrolment_url, worker_paid_sources=["special_training"]) as client:
        await deposit(client, 1_000_000)
        claim = await _claim(client, 4501)
        assert (claim["payee_kind"], claim["payee_id"]) == ("worker", 4501)
        await approve(client, claim["id"])
        await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE))
        entries = (await client.get("/v1/funds/ledger", headers=as_(FINANCE))).json()["items"]
        assert any(e["account"] == "payable:worker:4501" for e in entries)
