"""The books defend themselves: on PostgreSQL the database refuses an unbalanced journal, an
edited or deleted entry and a negative balance; on both backends the maker-checker CHECKs
hold and the audit chain finds every tampering (changed amount, deleted entry, swapped
order) — reported by the verify endpoint and command."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plumbing.db import make_engine
from services.enrolment.audit.service import VerifyReport, verify
from services.enrolment.ledger import repository
from services.enrolment.ledger.books import LedgerInvariantBroken, commit
from services.enrolment.main import create_app
from tests.enrolment.helpers import FINANCE, advance, make_order, worker
from tests.enrolment.payments import approve, deposit, settings
from tests.support import as_, committed_client

KEY = "dev-audit-key-change-me"


async def _books(backend: str, database_factory: Any) -> AsyncIterator[tuple[AsyncClient, str]]:
    url: str = await database_factory("enrolment", backend)
    async with committed_client(create_app(settings(), db_url=url), url) as client:
        await deposit(client, 1_000_000)
        await deposit(client, 50_000, "entrepreneurship")
        order = await make_order(client, worker(5001))
        claim = await advance(client, order["id"], "claimed")
        await approve(client, claim["id"])
        paid = await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE))
        assert paid.status_code == 200, paid.text
        yield client, url


@pytest.fixture(scope="module")
async def books(backend: str, database_factory: Any) -> AsyncIterator[tuple[AsyncClient, str]]:
    """A database of its own with real commits: two deposits and one paid claim. Shared by
    the tests that change nothing (tampering is rolled back, refusals commit nothing)."""
    async for pair in _books(backend, database_factory):
        yield pair


@pytest.fixture
async def own_books(backend: str, database_factory: Any) -> AsyncIterator[tuple[AsyncClient, str]]:
    """The same, for a test that commits a tampering."""
    async for pair in _books(backend, database_factory):
        yield pair


async def _unguard(conn: AsyncConnection) -> None:
    """What someone with direct write access to the database would do first."""
    if conn.dialect.name == "postgresql":
        for table in ("ledger_entries", "audit_entries"):
            await conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for table in ("ledger_entries", "audit_entries"):
            for op in ("update", "delete"):
                await conn.execute(text(f"DROP TRIGGER {table}_no_{op}"))


async def _tampered(url: str, *statements: str) -> VerifyReport:
    """Verify the chain after `statements`, inside a transaction that is then rolled back."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            await _unguard(conn)
            for statement in statements:
                await conn.execute(text(statement))
            report = await verify(AsyncSession(bind=conn), KEY)
            await conn.rollback()
            return report
    finally:
        await engine.dispose()


async def _one(url: str, sql: str) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).first()
    finally:
        await engine.dispose()


async def test_an_untouched_chain_verifies(books: tuple[AsyncClient, str]) -> None:
    client, _ = books
    response = await client.get("/v1/audit/verify", headers=as_(FINANCE))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["first_broken"] is None
    # 3 journals of 2 entries + 4 claim transitions (submitted, reviewed, approved, paid)
    assert body["checked"] == 10
    assert (await client.get("/v1/audit/verify", headers=as_(worker(1)))).status_code == 403


async def test_a_changed_amount_is_found(books: tuple[AsyncClient, str]) -> None:
    _, url = books
    target = await _one(url, "SELECT id FROM ledger_entries WHERE kind = 'payment' ORDER BY id")
    entry = await _one(
        url, f"SELECT seq FROM audit_entries WHERE kind = 'ledger_entry' AND ref_id = {target[0]}"
    )
    report = await _tampered(
        url, f"UPDATE ledger_entries SET amount_fen = amount_fen + 100 WHERE id = {target[0]}"
    )
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.problem) == (entry[0], "row_changed")
    # a claim's amount changed behind the service's back breaks its logged transitions
    report = await _tampered(url, "UPDATE claims SET amount_fen = 1")
    assert report.first_broken is not None
    assert (report.first_broken.kind, report.first_broken.problem) == ("claim_event", "row_changed")
    # rewriting the log to match does not help without the key
    report = await _tampered(
        url,
        f"UPDATE ledger_entries SET amount_fen = amount_fen + 100 WHERE id = {target[0]}",
        "UPDATE audit_entries SET payload = replace(payload, '\"amount_fen\"\\:150000', "
        f"'\"amount_fen\"\\:150100') WHERE kind = 'ledger_entry' AND ref_id = {target[0]}",
    )
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.problem) == (entry[0], "bad_mac")


async def test_a_deleted_entry_is_found(books: tuple[AsyncClient, str]) -> None:
    _, url = books
    last = await _one(url, "SELECT max(id) FROM ledger_entries")
    report = await _tampered(url, f"DELETE FROM ledger_entries WHERE id = {last[0]}")
    assert report.first_broken is not None
    assert report.first_broken.problem == "row_missing"
    assert report.first_broken.ref_id == last[0]
    # deleting its log entry too leaves a gap in the chain
    report = await _tampered(
        url,
        "DELETE FROM audit_entries WHERE seq = 3",
    )
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.problem) == (4, "gap")
    # and cutting off the end of the chain is caught by its head
    report = await _tampered(
        url, "DELETE FROM audit_entries WHERE seq = (SELECT max(seq) FROM audit_entries)"
    )
    assert report.first_broken is not None
    assert report.first_broken.problem == "head_mismatch"


async def test_a_swapped_order_is_found(books: tuple[AsyncClient, str]) -> None:
    _, url = books
    report = await _tampered(
        url,
        "UPDATE audit_entries SET seq = -2 WHERE seq = 2",
        "UPDATE audit_entries SET seq = 2 WHERE seq = 3",
        "UPDATE audit_entries SET seq = 3 WHERE seq = -2",
    )
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.problem) == (2, "bad_mac")


async def test_the_verify_command(own_books: tuple[AsyncClient, str]) -> None:
    _, url = own_books

    async def run() -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.enrolment.audit",
            "verify",
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        assert proc.returncode is not None
        return proc.returncode, out.decode()

    code, out = await run()
    assert code == 0, out
    assert '"ok": true' in out
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            await _unguard(conn)
            await conn.execute(text("UPDATE ledger_entries SET amount_fen = 7 WHERE id = 1"))
            await conn.commit()
    finally:
        await engine.dispose()
    code, out = await run()
    assert code == 1, out
    assert '"problem": "row_changed"' in out
    assert '"seq": 1' in out


async def _refused(url: str, *statements: str) -> str:
    """Run statements and commit; return the database's refusal."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:

            async def run() -> None:
                await conn.begin()
                for statement in statements:
                    await conn.execute(text(statement))
                await conn.commit()

            with pytest.raises((DBAPIError, IntegrityError)) as refused:
                await run()
            return str(getattr(refused.value, "orig", refused.value))
    finally:
        await engine.dispose()


async def test_entries_are_never_edited_or_deleted(books: tuple[AsyncClient, str]) -> None:
    _, url = books
    assert "append_only" in await _refused(url, "UPDATE ledger_entries SET amount_fen = 1")
    assert "append_only" in await _refused(url, "DELETE FROM ledger_entries")
    assert "append_only" in await _refused(url, "UPDATE audit_entries SET mac = 'x'")
    assert "append_only" in await _refused(url, "DELETE FROM audit_entries")


async def test_the_database_refuses_unbalanced_journals_and_negative_balances(
    books: tuple[AsyncClient, str], backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("on SQLite the service checks these in the transaction (ledger/books.py)")
    _, url = books
    insert = (
        "INSERT INTO ledger_entries (txn_id, account, source, amount_fen, kind, created_at) "
        "VALUES ('{txn}', '{account}', 'entrepreneurship', {amount}, 'deposit', now())"
    )
    one_sided = insert.format(txn="t1", account="special:entrepreneurship", amount=100)
    assert "unbalanced_journal" in await _refused(url, one_sided)
    # balanced, but takes the entrepreneurship fund (50,000 fen) below zero
    assert "negative_balance" in await _refused(
        url,
        insert.format(txn="t2", account="special:entrepreneurship", amount=-60_000),
        insert.format(txn="t2", account="payable:institution:9", amount=60_000),
    )
    assert "append_only" in await _refused(url, "TRUNCATE ledger_entries CASCADE")


async def test_the_balance_and_maker_checker_checks(books: tuple[AsyncClient, str]) -> None:
    _, url = books
    checks = {
        "UPDATE fund_balances SET balance_fen = -1": ("balance_not_negative", "available"),
        "UPDATE fund_balances SET held_fen = balance_fen + 1": ("available_not_negative",),
        "UPDATE claims SET approved_by = reviewed_by": ("reviewer_not_approver",),
        "UPDATE claims SET paid_by = approved_by": ("payer_not_approver",),
        "UPDATE claims SET needs_countersign = true": ("large_paid_countersigned",),
        "UPDATE claims SET countersigned_by = paid_by": ("countersigner_not_payer",),
    }
    for statement, names in checks.items():
        refusal = await _refused(url, statement)
        assert any(name in refusal for name in names), (statement, refusal)


async def test_the_service_refuses_an_unbalanced_journal_in_the_transaction(
    books: tuple[AsyncClient, str],
) -> None:
    """The guard SQLite relies on (PostgreSQL has it twice): checked before the commit."""
    _, url = books
    engine = make_engine(url)
    try:
        async with AsyncSession(engine) as session:
            entries = repository.add_pair(
                session, "entrepreneurship", "special:entrepreneurship", "external:x", 5, "deposit"
            )
            entries[1].amount_fen = -4
            with pytest.raises(LedgerInvariantBroken, match="unbalanced"):
                await commit(session, KEY)
        async with AsyncSession(engine) as session:
            repository.add_pair(
                session,
                "entrepreneurship",
                "payable:worker:1",
                "special:entrepreneurship",
                60_000,
                "payment",
            )
            with pytest.raises(LedgerInvariantBroken, match="negative"):
                await commit(session, KEY)
    finally:
        await engine.dispose()
    count = await _one(url, "SELECT count(*) FROM ledger_entries")
    assert count[0] == 6
