"""Orders and events written before enrolment_0006 are counted by its backfill exactly as the
unit report counted them from the raw rows: selections by the order's creation, steps by
their events, on the Asia/Shanghai day; a downgrade drops the counts and nothing else."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.db import make_engine
from plumbing.migrate import downgrade, upgrade
from services.enrolment.stats.units import unit_figures
from tests.enrolment.helpers import ADMIN
from tests.support import create_pg_database, drop_pg_database

CARE = ("4-10-01-05", 5, "employment_skills", "养老护理员")
ELECTRIC = ("6-31-01-03", 4, "job_skill_upgrade", "电工")


def _offering(id_: int, code: str, name: str, level: int, ttype: str) -> str:
    return (
        "INSERT INTO offerings (id, institution_id, institution_name, occupation_code,"
        " occupation_name, level, unit_code, capacity, seats_taken, hours, starts_on, ends_on,"
        " subsidy_fen, catalogue_item_id, funding_source, training_type, status, listed_by,"
        f" created_at) VALUES ({id_}, 3, '学校', '{code}', '{name}', {level}, 'rencheng', 10, 2,"
        " 40, '2026-11-01', '2026-11-20', 150000, 7, 'special_training', "
        f"'{ttype}', 'listed', 900, '2026-10-01 00:00:00')"
    )


def _profile(worker_id: int, group: str) -> str:
    return (
        "INSERT INTO worker_profiles (worker_id, id_number_cipher, id_number_hash,"
        " id_number_masked, name_cipher, phone_cipher, phone_masked, unit_code, target_group,"
        " receives_pension, birth_on, sex, created_at, updated_at) VALUES"
        f" ({worker_id}, 'x', 'h{worker_id}', '3708**', 'x', 'x', '138****', 'rencheng',"
        f" '{group}', false, '1990-01-01', 'male', '2026-10-01 00:00:00',"
        " '2026-10-01 00:00:00')"
    )


def _order(id_: int, worker_id: int, offering_id: int, trade: tuple[object, ...], at: str) -> str:
    code, level, _, name = trade
    return (
        "INSERT INTO orders (id, worker_id, worker_name_masked, offering_id, institution_id,"
        " institution_name, occupation_code, occupation_name, level, unit_code, hours,"
        " attended_hours, subsidy_fen, subsidy_year, funding_source, status, created_at,"
        f" updated_at) VALUES ({id_}, {worker_id}, '王**', {offering_id}, 3, '学校', '{code}',"
        f" '{name}', {level}, 'rencheng', 40, 0, 150000, 2026, 'special_training', 'selected',"
        f" '{at}', '{at}')"
    )


def _event(order_id: int, from_: str | None, to: str, at: str) -> str:
    before = "NULL" if from_ is None else f"'{from_}'"
    return (
        "INSERT INTO order_events (order_id, unit_code, action, from_status, to_status,"
        f" actor_id, actor_role, at) VALUES ({order_id}, 'rencheng', '', {before}, '{to}', 1,"
        f" 'admin', '{at}')"
    )


# Times in UTC: 16:30 on 31 October is 00:30 on 1 November in Jining.
LEGACY = [
    _offering(1, "4-10-01-05", "养老护理员", 5, "employment_skills"),
    _offering(2, "6-31-01-03", "电工", 4, "job_skill_upgrade"),
    _profile(41, "unemployed"),
    _profile(42, "migrant_worker"),
    # w41: care, selected 1 Nov (Jining), accepted 2 Nov, completed 5 Nov, certified 6 Nov.
    _order(1, 41, 1, CARE, "2026-10-31 16:30:00"),
    _event(1, None, "selected", "2026-10-31 16:30:00"),
    _event(1, "selected", "accepted", "2026-11-02 02:00:00"),
    _event(1, "accepted", "in_training", "2026-11-03 02:00:00"),
    _event(1, "in_training", "completed", "2026-11-05 03:00:00"),
    _event(1, "completed", "certified", "2026-11-06 03:00:00"),
    _event(1, "certified", "certified", "2026-11-07 03:00:00"),  # delivery confirmed: no step
    # w42: electrician, selected and accepted 31 Oct (Jining), dropped 1 Nov.
    _order(2, 42, 2, ELECTRIC, "2026-10-31 15:30:00"),
    _event(2, None, "selected", "2026-10-31 15:30:00"),
    _event(2, "selected", "accepted", "2026-10-31 15:40:00"),
    _event(2, "accepted", "dropped", "2026-11-01 01:00:00"),
    # w43, no profile: care, selected 1 Nov and rejected (not a step the report counts).
    _order(3, 43, 1, CARE, "2026-11-01 08:00:00"),
    _event(3, None, "selected", "2026-11-01 08:00:00"),
    _event(3, "selected", "rejected", "2026-11-01 09:00:00"),
]

GROUP_DAYS = {
    ("2026-10-31", "selected", "migrant_worker", 1),
    ("2026-10-31", "accepted", "migrant_worker", 1),
    ("2026-11-01", "dropped", "migrant_worker", 1),
    ("2026-11-01", "selected", "unemployed", 1),
    ("2026-11-01", "selected", "unknown", 1),
    ("2026-11-02", "accepted", "unemployed", 1),
    ("2026-11-05", "completed", "unemployed", 1),
    ("2026-11-06", "certified", "unemployed", 1),
}
TRADE_DAYS = {
    ("2026-10-31", "selected", *ELECTRIC, 1),
    ("2026-10-31", "accepted", *ELECTRIC, 1),
    ("2026-11-01", "dropped", *ELECTRIC, 1),
    ("2026-11-01", "selected", *CARE, 2),
    ("2026-11-02", "accepted", *CARE, 1),
    ("2026-11-05", "completed", *CARE, 1),
    ("2026-11-06", "certified", *CARE, 1),
}
GROUP_MONTHS = {
    ("2026-10-01", "selected", "migrant_worker", 1),
    ("2026-10-01", "accepted", "migrant_worker", 1),
    ("2026-11-01", "dropped", "migrant_worker", 1),
    ("2026-11-01", "selected", "unemployed", 1),
    ("2026-11-01", "selected", "unknown", 1),
    ("2026-11-01", "accepted", "unemployed", 1),
    ("2026-11-01", "completed", "unemployed", 1),
    ("2026-11-01", "certified", "unemployed", 1),
}
TRADE_MONTHS = {
    ("2026-10-01", "selected", *ELECTRIC, 1),
    ("2026-10-01", "accepted", *ELECTRIC, 1),
    ("2026-11-01", "dropped", *ELECTRIC, 1),
    ("2026-11-01", "selected", *CARE, 2),
    ("2026-11-01", "accepted", *CARE, 1),
    ("2026-11-01", "completed", *CARE, 1),
    ("2026-11-01", "certified", *CARE, 1),
}
COUNTS = (
    "SELECT period, dimension, starts_on, step, target_group, occupation_code, level,"
    " training_type, occupation_name, n FROM unit_step_counts WHERE unit_code = 'rencheng'"
)


def _split(rows: list[tuple[object, ...]]) -> dict[tuple[object, object], set[tuple[object, ...]]]:
    """The rows by (period, dimension), keeping only that dimension's columns."""
    split: dict[tuple[object, object], set[tuple[object, ...]]] = {}
    for period, dimension, on, step, group, code, level, ttype, name, n in rows:
        facts = (group,) if dimension == "group" else (code, level, ttype, name)
        blank = ("", 0, "", "") if dimension == "group" else ("",)
        assert (code, level, ttype, name) == blank or (group,) == blank
        split.setdefault((period, dimension), set()).add((str(on), step, *facts, n))
    return split


EXPECTED = {
    ("day", "group"): GROUP_DAYS,
    ("day", "trade"): TRADE_DAYS,
    ("month", "group"): GROUP_MONTHS,
    ("month", "trade"): TRADE_MONTHS,
}


async def _run(url: str) -> None:
    await asyncio.to_thread(upgrade, "enrolment", url, "enrolment_0005")
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in LEGACY:
                await conn.execute(text(statement))
        for _ in range(2):  # upgrade, downgrade, upgrade again: the same counts
            await asyncio.to_thread(upgrade, "enrolment", url)
            async with engine.connect() as conn:
                rows = (await conn.execute(text(COUNTS))).all()
            assert _split([tuple(r) for r in rows]) == EXPECTED
            await asyncio.to_thread(downgrade, "enrolment", url, "enrolment_0005")
            async with engine.connect() as conn:
                kept = (await conn.execute(text("SELECT count(*) FROM order_events"))).scalar()
            assert kept == sum(s.startswith("INSERT INTO order_events") for s in LEGACY)
        await asyncio.to_thread(upgrade, "enrolment", url)
        async with AsyncSession(engine) as session:
            nov = await unit_figures(
                session, ADMIN, dt.date(2026, 11, 1), dt.date(2026, 11, 30), "rencheng"
            )
            october = await unit_figures(
                session, ADMIN, dt.date(2026, 10, 31), dt.date(2026, 10, 31), None
            )
        (unit,) = nov.items
        steps = ("selected", "accepted", "completed", "certified", "failed", "dropped")
        assert tuple(getattr(unit, s) for s in steps) == (2, 1, 1, 1, 0, 1)
        assert {g.group: g.selected for g in unit.by_group} == {
            "unemployed": 1,
            "unknown": 1,
            "migrant_worker": 0,
        }
        (unit,) = october.items
        assert tuple(getattr(unit, s) for s in steps) == (1, 1, 0, 0, 0, 0)
        assert [t.training_type for t in unit.by_training_type] == ["job_skill_upgrade"]
    finally:
        await engine.dispose()


async def test_existing_orders_are_counted_by_the_migration(
    backend: str, pg_server: str | None, tmp_path: Path
) -> None:
    if backend == "sqlite":
        await _run(f"sqlite+aiosqlite:///{tmp_path / f'counts-{uuid.uuid4().hex[:6]}.db'}")
        return
    assert pg_server is not None
    url = await create_pg_database(pg_server, "jt_counts")
    try:
        await _run(url)
    finally:
        await drop_pg_database(pg_server, url)
