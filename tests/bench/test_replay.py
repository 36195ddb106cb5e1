"""The floor's replay (bench/replay.py): SQL recorded by the trace, replayed with asyncpg for
new workers, ids threaded from what the replay returns; and the ways it fails loudly."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from bench import replay
from bench.pg import create_database, drop_database, dsn
from bench.stack import spread_sequences
from plumbing import sqltrace
from plumbing.clock import utcnow
from plumbing.db import make_engine
from services.enrolment.audit.service import mac_of
from services.enrolment.config import DEFAULT_AUDIT_KEY

SCHEMA = (
    "CREATE TABLE orders (id serial PRIMARY KEY, worker_id int NOT NULL, status text NOT NULL)",
    "CREATE TABLE claims (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES orders, "
    "token text NOT NULL UNIQUE)",
)


@pytest.fixture
async def database(postgres: str) -> AsyncIterator[str]:
    name = f"jt_replay_{uuid.uuid4().hex[:8]}"
    url = await create_database(postgres, name)
    conn = await asyncpg.connect(dsn(url))
    try:
        for statement in SCHEMA:
            await conn.execute(statement)
    finally:
        await conn.close()
    await spread_sequences([dsn(url)])
    try:
        yield url
    finally:
        await drop_database(postgres, name)


async def work(engine: Any, worker_id: int) -> None:
    """A small flow as a service would run it: an order, paid, a claim with a unique token,
    the claim read back — traced as one request."""
    trace = sqltrace.start("enrolment", f"work.{worker_id}", "POST", "/work")
    try:
        async with engine.begin() as conn:
            order_id = (
                await conn.execute(
                    text("INSERT INTO orders (worker_id, status) VALUES (:w, 'new') RETURNING id"),
                    {"w": worker_id},
                )
            ).scalar_one()
            await conn.execute(
                text("UPDATE orders SET status = 'paid' WHERE worker_id = :w AND status = 'new'"),
                {"w": worker_id},
            )
            await conn.execute(
                text("INSERT INTO claims (order_id, token) VALUES (:o, :t) RETURNING id"),
                {"o": order_id, "t": uuid.uuid4().hex},
            )
        async with engine.connect() as conn:
            await conn.execute(text("SELECT id FROM claims WHERE order_id = :o"), {"o": order_id})
    finally:
        sqltrace.finish(trace)


@pytest.fixture
async def recorded(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[replay.Template, int]:
    """The template of `work`, from two recordings (workers 501 and 502)."""
    monkeypatch.setenv(sqltrace.ENV, str(tmp_path))
    engine = make_engine(database)
    try:
        await work(engine, 501)
        await work(engine, 502)
    finally:
        await engine.dispose()
    requests = {r.request_id: r for r in sqltrace.read(tmp_path)}
    template = replay.build(
        {"work": [requests["work.501"]]}, {"work": [requests["work.502"]]}, known={501}
    )
    return template, 501


async def run(pool: asyncpg.Pool, template: replay.Template, recorded: int, worker: int) -> None:
    flow = replay.Flow.new({recorded: worker})
    for txn in template.steps["work"]:
        await replay.run_transaction(pool, txn, flow)


async def test_the_template_knows_what_to_thread_and_what_to_make_fresh(
    recorded: tuple[replay.Template, int],
) -> None:
    template, _ = recorded
    write, read = template.steps["work"]
    assert (write.end, read.end) == ("commit", "rollback")
    insert_order, update, insert_claim = write.statements
    assert isinstance(insert_order.plans[0][0], replay.Lookup)  # the worker: a binding
    assert isinstance(update.plans[0][0], replay.Lookup)
    order_id, token = insert_claim.plans[0]
    assert isinstance(order_id, replay.Lookup)  # returned by the INSERT before
    assert order_id.key >= replay.ID_BASE
    assert isinstance(token, replay.Fresh)  # differs between the recordings, from nowhere
    assert isinstance(read.statements[0].plans[0][0], replay.Lookup)


async def test_replay_threads_the_ids_it_gets_back_for_concurrent_new_workers(
    database: str, recorded: tuple[replay.Template, int]
) -> None:
    template, rec_worker = recorded
    pool = await asyncpg.create_pool(dsn(database), min_size=1, max_size=4)
    assert pool is not None
    try:
        workers = [7001, 7002, 7003, 7004]
        await asyncio.gather(*(run(pool, template, rec_worker, w) for w in workers))
        rows = await pool.fetch(
            "SELECT o.worker_id, o.status, c.token FROM orders o JOIN claims c "
            "ON c.order_id = o.id WHERE o.worker_id = ANY($1::int[]) ORDER BY o.worker_id",
            workers,
        )
        recorded_tokens = {
            r["token"]
            for r in await pool.fetch(
                "SELECT token FROM claims JOIN orders o ON o.id = order_id "
                "WHERE worker_id IN (501, 502)"
            )
        }
    finally:
        await pool.close()
    assert [(r["worker_id"], r["status"]) for r in rows] == [(w, "paid") for w in workers]
    tokens = {r["token"] for r in rows}
    assert len(tokens) == len(workers)
    assert not tokens & recorded_tokens
    assert all(len(t) == 32 for t in tokens)


async def test_a_value_not_returned_by_the_replay_is_caught(
    database: str, recorded: tuple[replay.Template, int]
) -> None:
    template, rec_worker = recorded
    broken = copy.deepcopy(template)
    broken.steps["work"][0].statements[0].rows = []  # as if the INSERT returned no id
    pool = await asyncpg.create_pool(dsn(database), min_size=1, max_size=2)
    assert pool is not None
    try:
        with pytest.raises(replay.ReplayError, match="not in this replay"):
            await run(pool, broken, rec_worker, 7101)
        # Nothing half-written: the transaction was rolled back.
        assert await pool.fetchval("SELECT count(*) FROM orders WHERE worker_id = 7101") == 0
    finally:
        await pool.close()


async def test_a_different_row_count_is_caught(
    database: str, recorded: tuple[replay.Template, int]
) -> None:
    template, rec_worker = recorded
    pool = await asyncpg.create_pool(dsn(database), min_size=1, max_size=2)
    assert pool is not None
    try:
        # Another 'new' order of the same worker: the UPDATE now pays two, not one.
        await pool.execute("INSERT INTO orders (worker_id, status) VALUES (7201, 'new')")
        with pytest.raises(replay.ReplayError, match="2 rows affected, the recording had 1"):
            await run(pool, template, rec_worker, 7201)
        # A SELECT that finds nothing where the recording found a row.
        read = template.steps["work"][1]
        flow = replay.Flow.new({})
        flow.values[read.statements[0].plans[0][0].key] = 1  # type: ignore[union-attr]
        with pytest.raises(replay.ReplayError, match="0 rows, the recording had 1"):
            await replay.run_transaction(pool, read, flow)
    finally:
        await pool.close()


async def test_a_value_the_template_cannot_thread_fails_the_build(
    recorded: tuple[replay.Template, int], tmp_path: Path
) -> None:
    requests = {r.request_id: r for r in sqltrace.read(tmp_path)}
    # Without the worker id as a binding, it differs between the recordings and comes from
    # nowhere: the build refuses rather than replaying the recorded worker's id.
    with pytest.raises(replay.TraceError, match="cannot thread"):
        replay.build({"w": [requests["work.501"]]}, {"w": [requests["work.502"]]})
    # Two recordings of different work cannot make one template.
    with pytest.raises(replay.TraceError, match="recordings differ"):
        replay.build(
            {"w": [requests["work.501"]]},
            {"w": [requests["work.501"], requests["work.502"]]},
            known={501},
        )


AUDIT_SCHEMA = (
    "CREATE TABLE audit_heads (id int PRIMARY KEY, seq int NOT NULL, mac text NOT NULL)",
    "INSERT INTO audit_heads VALUES (1, 0, '')",
    "CREATE TABLE audit_entries (id serial PRIMARY KEY, seq int NOT NULL UNIQUE, "
    "kind text NOT NULL, ref_id int NOT NULL, payload text NOT NULL, mac text NOT NULL, "
    "at timestamptz NOT NULL)",
)


async def audited(engine: Any, worker_id: int, key: str = DEFAULT_AUDIT_KEY) -> None:
    """An order and its audit entry, chained as services/enrolment/audit/service.py does."""
    trace = sqltrace.start("enrolment", f"audited.{worker_id}", "POST", "/audited")
    try:
        async with engine.begin() as conn:
            order_id = (
                await conn.execute(
                    text("INSERT INTO orders (worker_id, status) VALUES (:w, 'new') RETURNING id"),
                    {"w": worker_id},
                )
            ).scalar_one()
            head = (
                await conn.execute(
                    text("SELECT id, seq, mac FROM audit_heads WHERE id = 1 FOR UPDATE")
                )
            ).one()
            seq, payload = head.seq + 1, json.dumps({"order_id": order_id})
            mac = mac_of(key, head.mac, seq, "order", order_id, payload)
            await conn.execute(
                text(
                    "INSERT INTO audit_entries (seq, kind, ref_id, payload, mac, at) "
                    "VALUES (:seq, :kind, :ref, :payload, :mac, :at)"
                ),
                {
                    "seq": seq,
                    "kind": "order",
                    "ref": order_id,
                    "payload": payload,
                    "mac": mac,
                    "at": utcnow(),
                },
            )
            await conn.execute(
                text("UPDATE audit_heads SET seq=:seq, mac=:mac WHERE audit_heads.id = 1"),
                {"seq": seq, "mac": mac},
            )
    finally:
        sqltrace.finish(trace)


async def test_the_audit_chain_is_extended_by_the_rules_and_stays_valid(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = await asyncpg.connect(dsn(database))
    try:
        for statement in AUDIT_SCHEMA:
            await conn.execute(statement)
    finally:
        await conn.close()
    monkeypatch.setenv(sqltrace.ENV, str(tmp_path))
    engine = make_engine(database)
    try:
        await audited(engine, 601)
        await audited(engine, 602)
        await audited(engine, 603, key="another key")
    finally:
        await engine.dispose()
    requests = {r.request_id: r for r in sqltrace.read(tmp_path)}
    # A chain the rule cannot reproduce (here: another key) fails the build.
    with pytest.raises(replay.TraceError, match="audit rule"):
        replay.build(
            {"a": [requests["audited.603"]]}, {"a": [requests["audited.602"]]}, known={603}
        )
    template = replay.build(
        {"a": [requests["audited.601"]]}, {"a": [requests["audited.602"]]}, known={601}
    )
    pool = await asyncpg.create_pool(dsn(database), min_size=1, max_size=4)
    assert pool is not None
    try:
        # The recording with the other key left a bad entry: take it off the chain.
        await pool.execute("DELETE FROM audit_entries WHERE seq = 3")
        await pool.execute(
            "UPDATE audit_heads SET seq = 2, mac = (SELECT mac FROM audit_entries WHERE seq = 2)"
        )

        async def one(worker: int) -> None:
            flow = replay.Flow.new({601: worker})
            for txn in template.steps["a"]:
                await replay.run_transaction(pool, txn, flow)

        await asyncio.gather(*(one(w) for w in (8001, 8002, 8003, 8004)))
        entries = await pool.fetch("SELECT * FROM audit_entries ORDER BY seq")
        head = await pool.fetchrow("SELECT seq, mac FROM audit_heads")
        new_orders = {
            r["id"] for r in await pool.fetch("SELECT id FROM orders WHERE worker_id >= 8001")
        }
    finally:
        await pool.close()
    previous = ""
    for expected, e in enumerate(entries, start=1):
        assert e["seq"] == expected
        assert e["mac"] == mac_of(
            DEFAULT_AUDIT_KEY, previous, e["seq"], e["kind"], e["ref_id"], e["payload"]
        )
        assert json.loads(e["payload"]) == {"order_id": e["ref_id"]}  # threaded inside
        previous = e["mac"]
    assert (head["seq"], head["mac"]) == (len(entries), previous)
    assert {e["ref_id"] for e in entries[-4:]} == new_orders
