"""The invariant checker of the stateful flow test (tests/invariants.py) can fail: it passes a
database the service wrote (a paid claim included), and reports each rule that someone with
direct write access then breaks behind the service's back — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.enrolment.ledger.models import LedgerEntry
from services.enrolment.main import create_app
from services.enrolment.orders.models import Order
from services.enrolment.sql import table_of
from tests.enrolment.helpers import FINANCE, advance, make_offering, make_order, worker
from tests.enrolment.payments import approve, deposit, settings
from tests.invariants import checker_engine, enrolment_violations
from tests.support import as_, committed_client


async def _copy_order(conn: AsyncConnection, order_id: int, **changes: Any) -> None:
    """A new order row like `order_id`'s, inserted with plain SQL: no seat, no yearly slot,
    no event — what the service would never write."""
    columns = [c.name for c in table_of(Order).columns if c.name != "id"]
    picked = ", ".join(f":{c}" if c in changes else c for c in columns)
    await conn.execute(
        text(
            f"INSERT INTO orders ({', '.join(columns)})"
            f" SELECT {picked} FROM orders WHERE id = {order_id}"
        ),
        changes,
    )


async def _plant(conn: AsyncConnection, order_id: int, claim_id: int, amount: int) -> None:
    if conn.dialect.name == "postgresql":
        # what someone with direct write access does first: the ledger's own guards go
        await conn.execute(text("ALTER TABLE ledger_entries DISABLE TRIGGER USER"))
    await conn.execute(text("DROP INDEX uq_orders_worker_occupation_level"))
    # A second worker in the full offering's only seat.
    await _copy_order(conn, order_id, worker_id=6003)
    # Worker 6002 gets a second order for the same trade, and three more trades: 5 a year.
    await _copy_order(conn, order_id)
    for code in ("6-31-01-03", "4-10-01-06", "4-10-01-02"):
        await _copy_order(conn, order_id, occupation_code=code)
    entries: list[tuple[str, str, int, int | None, str]] = [
        # the paid claim paid again, from another source
        ("again", "payable:institution:2", amount, claim_id, "payment"),
        ("again", "special:entrepreneurship", -amount, claim_id, "payment"),
        # half a journal
        ("half", "special:special_training", 1, None, "deposit"),
    ]
    for txn, account, fen, claim, kind in entries:
        source = account.split(":")[1] if account.startswith("special:") else "special_training"
        await conn.execute(
            insert(table_of(LedgerEntry)).values(
                txn_id=txn,
                account=account,
                source=source,
                amount_fen=fen,
                kind=kind,
                claim_id=claim,
                created_at=dt.datetime.now(dt.UTC),
            )
        )


async def test_the_checker_reports_violations_planted_behind_the_service(
    backend: str, database_factory: Any
) -> None:
    url: str = await database_factory("enrolment", backend)
    async with committed_client(create_app(settings(), db_url=url), url) as client:
        await deposit(client, 1_000_000)
        await deposit(client, 50_000, "entrepreneurship")
        paid_order = await make_order(client, worker(6001))
        claim = await advance(client, paid_order["id"], "claimed")
        await approve(client, claim["id"])
        paid = await client.post(f"/v1/claims/{claim['id']}/pay", headers=as_(FINANCE))
        assert paid.status_code == 200, paid.text
        full = await make_offering(client, capacity=1)
        order = await make_order(client, worker(6002), offering=full)

    engine = checker_engine(url)
    try:
        assert await enrolment_violations(engine) == []  # what the service wrote holds
        async with engine.begin() as conn:
            await _plant(conn, order["id"], claim["id"], claim["amount_fen"])
        found = await enrolment_violations(engine)
    finally:
        await engine.dispose()

    report = "\n".join(found)
    assert {line.split(":")[0] for line in found} == {
        "seats",
        "cap",
        "occupation",
        "paid",
        "ledger",
        "fund",
        "events",
    }, report
    # the genuine order, worker 6003's and worker 6002's four copies
    assert f"seats: offering {full['id']} has 6 seat-holding orders, capacity 1" in found, report
    assert any(
        line.startswith("cap: worker 6002 holds 5 subsidised orders in") for line in found
    ), report
    assert "occupation: worker 6002 holds 2 orders for 4-10-01-05 level 5" in found, report
    amount = claim["amount_fen"]
    assert (
        f"paid: claim {claim['id']} (paid, {amount} fen) has 4 payment entries moving"
        f" {2 * amount} fen" in found
    ), report
    assert "ledger: journal half has 1 entries summing to 1" in found, report
    assert any(line.startswith("fund: entrepreneurship went down to") for line in found), report
