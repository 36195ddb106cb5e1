"""The scale generator at a tiny scale: its data keeps the service's invariants, and the
service reads it (python -m bench.scale runs the same generator at a million orders)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bench.pg import drop_database, dsn
from bench.scale_data import Summary, create_enrolment_database, generate
from bench.scale_probe import Plan, plan_problems
from plumbing.crypto import PersonalDataCipher
from plumbing.ids import normalise_id_number
from plumbing.principal import Principal
from services.enrolment.config import Settings
from services.enrolment.main import create_app
from services.enrolment.orders.rules import SEAT_FREEING, SLOT_FREEING, YEARLY_CAP
from tests.support import as_, rollback_client

pytestmark = pytest.mark.postgres

ORDERS, WORKERS = 2_000, 900


@pytest.fixture(scope="module")
async def scaled(postgres: str) -> AsyncIterator[tuple[str, Summary]]:
    name = f"jt_scale_{uuid.uuid4().hex[:8]}"
    url = await create_enrolment_database(postgres, name)
    try:
        summary = await generate(url, ORDERS, WORKERS, seed=5, show=False)
        yield url, summary
    finally:
        await drop_database(postgres, name)


async def _fetch(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn(url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def test_counts_match_the_scale(scaled: tuple[str, Summary]) -> None:
    url, summary = scaled
    [row] = await _fetch(
        url,
        "SELECT (SELECT count(*) FROM orders) AS orders,"
        " (SELECT count(DISTINCT worker_id) FROM orders) AS workers,"
        " (SELECT count(*) FROM worker_profiles) AS profiles,"
        " (SELECT count(DISTINCT unit_code) FROM orders) AS units,"
        " (SELECT count(*) FROM order_events) AS events",
    )
    assert (row["orders"], row["workers"], row["profiles"]) == (ORDERS, WORKERS, WORKERS)
    assert row["units"] == 15
    assert row["events"] == summary.events > ORDERS


async def test_yearly_cap_and_counter(scaled: tuple[str, Summary]) -> None:
    url, _ = scaled
    rows = await _fetch(
        url,
        "SELECT o.worker_id, o.subsidy_year, count(*) AS held, max(c.count) AS counter"
        " FROM orders o LEFT JOIN worker_year_counts c"
        " ON c.worker_id = o.worker_id AND c.year = o.subsidy_year"
        " WHERE NOT o.status = ANY($1::text[]) GROUP BY o.worker_id, o.subsidy_year",
        list(SLOT_FREEING),
    )
    assert rows
    assert max(r["held"] for r in rows) <= YEARLY_CAP
    assert all(r["held"] == r["counter"] for r in rows)


async def test_occupation_level_once(scaled: tuple[str, Summary]) -> None:
    url, _ = scaled
    twice = await _fetch(
        url,
        "SELECT worker_id, occupation_code, level FROM orders"
        " WHERE NOT status = ANY($1::text[])"
        " GROUP BY worker_id, occupation_code, level HAVING count(*) > 1",
        list(SLOT_FREEING),
    )
    assert twice == []


async def test_seats_match_orders(scaled: tuple[str, Summary]) -> None:
    url, _ = scaled
    wrong = await _fetch(
        url,
        "SELECT f.id, f.seats_taken, f.capacity, count(o.id) AS holding FROM offerings f"
        " LEFT JOIN orders o ON o.offering_id = f.id AND NOT o.status = ANY($1::text[])"
        " GROUP BY f.id HAVING f.seats_taken <> count(o.id) OR count(o.id) > f.capacity",
        list(SEAT_FREEING),
    )
    assert wrong == []


async def test_personal_data_decrypts_to_valid_unique_ids(scaled: tuple[str, Summary]) -> None:
    url, _ = scaled
    settings = Settings()
    cipher = PersonalDataCipher(settings.data_keys, settings.hash_key)
    rows = await _fetch(url, "SELECT id_number_cipher, id_number_hash FROM worker_profiles")
    numbers = [cipher.decrypt(r["id_number_cipher"]) for r in rows]
    assert all(normalise_id_number(n) == n for n in numbers)
    assert len(set(numbers)) == len(numbers) == WORKERS
    assert all(
        cipher.keyed_hash(n) == r["id_number_hash"] for n, r in zip(numbers, rows, strict=True)
    )


async def test_events_follow_orders(scaled: tuple[str, Summary]) -> None:
    url, _ = scaled
    wrong = await _fetch(
        url,
        "SELECT o.id FROM orders o JOIN LATERAL (SELECT e.to_status, e.unit_code"
        " FROM order_events e WHERE e.order_id = o.id AND e.from_status IS DISTINCT FROM"
        " e.to_status ORDER BY e.at DESC, e.id DESC LIMIT 1) last ON true"
        " WHERE last.to_status <> o.status OR last.unit_code <> o.unit_code",
    )
    assert wrong == []


async def test_step_counts_equal_the_raw_rows(scaled: tuple[str, Summary]) -> None:
    """The unit report's counts the generator fills (enrolment_0006's backfill) are the
    orders and events it loaded: per unit, Jining day and step, the trade rows and the
    group rows each add up to the selections and steps; the month rows to their days."""
    url, summary = scaled
    raw = await _fetch(
        url,
        "SELECT unit_code, day, step, count(*) AS n FROM ("
        " SELECT unit_code, (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day,"
        " 'selected' AS step FROM orders"
        " UNION ALL SELECT o.unit_code, (e.at AT TIME ZONE 'Asia/Shanghai')::date, e.to_status"
        " FROM order_events e JOIN orders o ON o.id = e.order_id"
        " WHERE e.to_status IN ('accepted', 'completed', 'certified', 'failed', 'dropped')"
        " AND e.from_status <> e.to_status) AS steps GROUP BY 1, 2, 3",
    )
    expected = {(r["unit_code"], r["day"], r["step"]): r["n"] for r in raw}
    assert {s for (_, _, s) in expected} == {
        "selected",
        "accepted",
        "completed",
        "certified",
        "failed",
        "dropped",
    }
    for dimension in ("trade", "group"):
        counted = await _fetch(
            url,
            "SELECT unit_code, starts_on, step, sum(n) AS n FROM unit_step_counts"
            " WHERE period = 'day' AND dimension = $1 GROUP BY 1, 2, 3",
            dimension,
        )
        assert {(r["unit_code"], r["starts_on"], r["step"]): r["n"] for r in counted} == expected
    months = await _fetch(
        url,
        "SELECT d.unit_code, d.dimension, d.step, d.month, d.n, m.n AS month_n FROM ("
        " SELECT unit_code, dimension, step, date_trunc('month', starts_on)::date AS month,"
        " sum(n) AS n FROM unit_step_counts WHERE period = 'day' GROUP BY 1, 2, 3, 4) d"
        " FULL JOIN (SELECT unit_code, dimension, step, starts_on AS month, sum(n) AS n"
        " FROM unit_step_counts WHERE period = 'month' GROUP BY 1, 2, 3, 4) m"
        " USING (unit_code, dimension, step, month)",
    )
    assert months
    assert all(r["n"] == r["month_n"] for r in months)
    assert (
        summary.step_counts
        == (await _fetch(url, "SELECT count(*) AS n FROM unit_step_counts"))[0]["n"]
    )


async def test_the_service_reads_the_data(scaled: tuple[str, Summary]) -> None:
    url, _ = scaled
    [row] = await _fetch(
        url,
        "SELECT worker_id, count(*) AS n FROM orders GROUP BY worker_id"
        " ORDER BY n DESC, worker_id LIMIT 1",
    )
    worker = Principal(id=row["worker_id"], role="worker")
    [year] = await _fetch(
        url,
        "SELECT count(*) AS n FROM orders"
        " WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2",
        dt.date(2020, 1, 1),
        dt.date(2020, 12, 31),
    )
    async with rollback_client(create_app(db_url=url), url) as client:
        mine = await client.get("/v1/orders", headers=as_(worker))
        city = Principal(id=900, role="government", username="city-officer")
        report = await client.get(
            "/v1/stats/units",
            params={"from_on": "2020-01-01", "to_on": "2020-12-31"},
            headers=as_(city),
        )
    assert mine.status_code == 200, mine.text
    assert mine.json()["total"] == row["n"] >= 2
    assert report.status_code == 200, report.text
    assert sum(u["selected"] for u in report.json()["items"]) == year["n"] > 0


def test_a_seq_scan_on_orders_fails_the_check() -> None:
    seq = {"Node Type": "Seq Scan", "Relation Name": "orders"}
    indexed = {"Node Type": "Index Scan", "Relation Name": "orders", "Index Name": "ix"}
    assert plan_problems([Plan("SELECT 1", seq, [])])[1]
    assert plan_problems([Plan("SELECT 1", indexed, [])]) == (["ix"], [])


async def test_events_written_by_the_service_carry_the_unit(
    scaled: tuple[str, Summary],
) -> None:
    """The unit report finds a unit's steps by the event's own unit (enrolment_0005): an
    acceptance made through the service today shows in that unit's figures for today."""
    url, summary = scaled
    [offering] = await _fetch(
        url, "SELECT id, unit_code, institution_id FROM offerings WHERE id = $1", summary.listed[0]
    )
    [free] = await _fetch(
        url,
        "SELECT worker_id FROM worker_profiles w WHERE NOT EXISTS (SELECT 1 FROM orders o"
        " WHERE o.worker_id = w.worker_id AND o.offering_id = $1) ORDER BY worker_id LIMIT 1",
        offering["id"],
    )
    worker = Principal(id=free["worker_id"], role="worker")
    clerk = Principal(id=800, role="institution", institution_id=offering["institution_id"])
    city = Principal(id=900, role="government", username="city-officer")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    period = {"from_on": today, "to_on": today, "unit_code": offering["unit_code"]}
    async with rollback_client(create_app(db_url=url), url) as client:
        before = await client.get("/v1/stats/units", params=period, headers=as_(city))
        selected = await client.post(
            "/v1/orders", json={"offering_id": offering["id"]}, headers=as_(worker)
        )
        assert selected.status_code == 201, selected.text
        accepted = await client.post(
            f"/v1/orders/{selected.json()['id']}/accept", headers=as_(clerk)
        )
        assert accepted.status_code == 200, accepted.text
        after = await client.get("/v1/stats/units", params=period, headers=as_(city))
    assert before.json()["items"][0]["accepted"] == 0
    [unit] = after.json()["items"]
    assert (unit["unit_code"], unit["selected"], unit["accepted"]) == (
        offering["unit_code"],
        1,
        1,
    )
