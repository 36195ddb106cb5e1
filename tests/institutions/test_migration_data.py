"""Upgrading a database that already holds data: the catalogue becomes version 1, approvals
stay in force, and the way back keeps the current rows."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from plumbing.db import make_engine
from plumbing.migrate import downgrade, upgrade

SEED = """
INSERT INTO catalogue_items (catalogue, occupation_code, occupation_name, level,
    training_types, standard_hours, subsidy_fen, industry)
VALUES ('general', '4-03-02-01', '中式烹调师', 5, '["employment_skills"]', 80, 100000, NULL),
       ('general', '4-07-05-01', '保安员', 5, '["pre_job"]', 60, 90000, NULL)
"""
INSTITUTION = """
INSERT INTO institutions (name, credit_code, kind, unit_code, status, is_demo, created_at,
    updated_at)
VALUES ('济宁第1职业培训学校', '91370800MA00000013', 'private', 'rencheng', 'active', false,
    CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
"""


async def run(url: str, *statements: str) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            results = [(await conn.execute(text(s))) for s in statements]
            return [r.all() if r.returns_rows else None for r in results]
    finally:
        await engine.dispose()


async def test_existing_data_survives_the_upgrade_and_back(
    backend: str, database_factory: Any
) -> None:
    url = await database_factory("institutions", backend)
    await asyncio.to_thread(downgrade, "institutions", url, "institutions_0001")
    await run(
        url,
        SEED,
        INSTITUTION,
        "INSERT INTO institution_approvals (institution_id, occupation_code, level) "
        "SELECT id, '4-03-02-01', 5 FROM institutions",
    )
    await asyncio.to_thread(upgrade, "institutions", url)

    versions, items, approvals = await run(
        url,
        "SELECT number, effective_on, source, added FROM catalogue_versions",
        "SELECT since_version, until_version FROM catalogue_items",
        "SELECT valid_from IS NOT NULL, valid_until FROM institution_approvals",
    )
    assert [(v[0], str(v[1]), v[2], v[3]) for v in versions] == [(1, "2019-01-01", "seed", 2)]
    assert items == [(1, None), (1, None)]
    assert [(bool(a[0]), a[1]) for a in approvals] == [(True, None)]

    # A second version, then back down: only the current rows stay, one per item.
    await run(
        url,
        "INSERT INTO catalogue_versions (number, effective_on, source, added, changed, retired,"
        " published_at) VALUES (2, '2030-01-01', 'api', 0, 1, 0, CURRENT_TIMESTAMP)",
        "UPDATE catalogue_items SET until_version = 2 WHERE occupation_code = '4-03-02-01'",
        "INSERT INTO catalogue_items (catalogue, occupation_code, occupation_name, level,"
        " training_types, standard_hours, subsidy_fen, since_version) VALUES ('general',"
        " '4-03-02-01', '中式烹调师', 5, '[\"employment_skills\"]', 80, 120000, 2)",
        "INSERT INTO institution_events (institution_id, action, from_status, to_status, at)"
        " SELECT id, 'inspect', 'active', 'active', CURRENT_TIMESTAMP FROM institutions",
    )
    await asyncio.to_thread(downgrade, "institutions", url, "institutions_0001")
    (rows,) = await run(url, "SELECT occupation_code, subsidy_fen FROM catalogue_items")
    assert sorted(rows) == [("4-03-02-01", 120000), ("4-07-05-01", 90000)]
    await asyncio.to_thread(upgrade, "institutions", url)
