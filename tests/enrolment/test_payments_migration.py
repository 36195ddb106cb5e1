"""Books kept before the payments migration stay valid after it: claims get their payee,
entries their kind, the audit chain adopts the existing rows once, and reconciliation finds
them consistent."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.db import make_engine
from plumbing.migrate import upgrade
from services.enrolment.audit.service import adopt_existing, verify
from services.enrolment.ledger.reconcile import reconcile
from tests.support import create_pg_database, drop_pg_database

NOW = "2026-11-01 08:00:00"
LEGACY = [
    "INSERT INTO offerings (id, institution_id, institution_name, occupation_code,"
    " occupation_name, level, unit_code, capacity, seats_taken, hours, starts_on, ends_on,"
    " subsidy_fen, catalogue_item_id, funding_source, status, listed_by, created_at) VALUES"
    " (1, 3, '学校', '4-10-01-05', '养老护理员', 5, 'rencheng', 10, 1, 40, '2026-10-01',"
    f" '2026-10-20', 150000, 7, 'special_training', 'listed', 900, '{NOW}')",
    "INSERT INTO orders (id, worker_id, worker_name_masked, offering_id, institution_id,"
    " institution_name, occupation_code, occupation_name, level, unit_code, hours,"
    " attended_hours, subsidy_fen, subsidy_year, funding_source, status, created_at,"
    " updated_at) VALUES (1, 41, '王**', 1, 3, '学校', '4-10-01-05', '养老护理员', 5,"
    f" 'rencheng', 40, 40, 150000, 2026, 'special_training', 'paid', '{NOW}', '{NOW}')",
    "INSERT INTO claims (id, order_id, kind, institution_id, worker_id, unit_code, amount_fen,"
    " funding_source, status, submitted_by, approved_by, paid_by, created_at, updated_at)"
    " VALUES (1, 1, 'training', 3, 41, 'rencheng', 150000, 'special_training', 'paid', 800,"
    f" 900, 700, '{NOW}', '{NOW}')",
    "INSERT INTO claim_events (claim_id, from_status, to_status, actor_id, actor_role, at)"
    f" VALUES (1, NULL, 'submitted', 800, 'institution', '{NOW}'),"
    f" (1, 'submitted', 'approved', 900, 'government', '{NOW}'),"
    f" (1, 'approved', 'paid', 700, 'finance', '{NOW}')",
    "INSERT INTO deposits (id, source, amount_fen, deposited_by, created_at) VALUES"
    f" (1, 'special_training', 1000000, 700, '{NOW}')",
    "INSERT INTO fund_balances (source, balance_fen, updated_at) VALUES"
    f" ('special_training', 850000, '{NOW}')",
    "INSERT INTO ledger_entries (txn_id, account, source, amount_fen, deposit_id, claim_id,"
    " created_at) VALUES"
    f" ('d1', 'special:special_training', 'special_training', 1000000, 1, NULL, '{NOW}'),"
    f" ('d1', 'external:special_training', 'special_training', -1000000, 1, NULL, '{NOW}'),"
    f" ('p1', 'payable:institution:3', 'special_training', 150000, NULL, 1, '{NOW}'),"
    f" ('p1', 'special:special_training', 'special_training', -150000, NULL, 1, '{NOW}')",
]


async def _run(url: str) -> None:
    await asyncio.to_thread(upgrade, "enrolment", url, "enrolment_0001")
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in LEGACY:
                await conn.execute(text(statement))
        await asyncio.to_thread(upgrade, "enrolment", url)
        async with engine.connect() as conn:
            payee = (await conn.execute(text("SELECT payee_kind, payee_id FROM claims"))).one()
            kinds = (
                await conn.execute(text("SELECT kind FROM ledger_entries ORDER BY id"))
            ).scalars()
            held = (await conn.execute(text("SELECT held_fen FROM fund_balances"))).scalar()
        assert tuple(payee) == ("institution", 3)
        assert list(kinds) == ["deposit", "deposit", "payment", "payment"]
        assert held == 0
        async with AsyncSession(engine, expire_on_commit=False) as session:
            assert await adopt_existing(session, "k") == 7
            assert await adopt_existing(session, "k") == 0  # only an empty chain adopts
            report = await verify(session, "k")
            assert report.ok, report
            assert report.checked == 7
            assert await reconcile(session) == []
    finally:
        await engine.dispose()


async def test_legacy_books_survive_the_payments_migration(
    backend: str, pg_server: str | None, tmp_path: Path
) -> None:
    if backend == "sqlite":
        await _run(f"sqlite+aiosqlite:///{tmp_path / f'legacy-{uuid.uuid4().hex[:6]}.db'}")
        return
    assert pg_server is not None
    url = await create_pg_database(pg_server, "jt_legacy")
    try:
        await _run(url)
    finally:
        await drop_pg_database(pg_server, url)
