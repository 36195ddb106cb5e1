"""The rules of DESIGN.md "Rules that must hold, always", read straight from enrolment's
database with SQL, independently of the service's own counters and constraints.

`await enrolment_violations(url)` returns one line per broken rule (empty: all hold). It
recounts from the rows themselves — the orders that hold a seat, the orders that hold a
yearly slot, the ledger's entries — and compares with what the service keeps (seats_taken,
worker_year_counts, fund_balances), so a counter that drifted is found as well as an
overfilled offering. Works on the SQLite and PostgreSQL databases of a running stack
(`RunningStack.database_urls["enrolment"]`). The status lists below are written from
DESIGN.md, not imported from the service, so a wrong list there cannot hide a violation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEARLY_CAP = 3
# DESIGN "Rules": cancelled, rejected and failed orders free the yearly slot (and the
# occupation+level); an order that expired unaccepted never started, so it frees it too.
SLOT_FREEING = ("cancelled", "rejected", "failed", "expired")
# Of those, the ones that never trained give their seat back; a failed or dropped worker
# took the seat.
SEAT_FREEING = ("cancelled", "rejected", "expired")
# A claim that moved money: one payment pair on the ledger, exactly.
PAID_CLAIM = ("paid", "clawed_back")
# The holds of DESIGN's two-phase approval (pending → posted or voided), by claim status.
HOLD_FOR_CLAIM = {"pending": ("approved",), "posted": PAID_CLAIM, "voided": ("rejected",)}


def _in(values: Sequence[str]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def _timestamp(value: Any) -> dt.datetime:
    """asyncpg returns aware datetimes; SQLite returns the stored UTC wall time as text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def _rows(conn: AsyncConnection, sql: str) -> list[Any]:
    return list((await conn.execute(text(sql))).all())


async def seat_violations(conn: AsyncConnection) -> list[str]:
    """An offering never has more seat-holding orders than its capacity, and its counter
    equals the orders that hold a seat."""
    rows = await _rows(
        conn,
        f"""SELECT f.id, f.capacity, f.seats_taken, COUNT(o.id)
            FROM offerings f LEFT JOIN orders o
              ON o.offering_id = f.id AND o.status NOT IN {_in(SEAT_FREEING)}
            GROUP BY f.id, f.capacity, f.seats_taken""",
    )
    found = []
    for offering_id, capacity, seats_taken, holding in rows:
        if holding > capacity:
            found.append(
                f"seats: offering {offering_id} has {holding} seat-holding orders,"
                f" capacity {capacity}"
            )
        if seats_taken != holding:
            found.append(
                f"seats: offering {offering_id} counts {seats_taken} seats taken,"
                f" {holding} orders hold one"
            )
    return found


async def yearly_cap_violations(conn: AsyncConnection) -> list[str]:
    """At most 3 slot-holding orders per worker per Asia/Shanghai calendar year (the year of
    the selection), and the service's counter agrees."""
    rows = await _rows(
        conn,
        f"SELECT id, worker_id, created_at, subsidy_year FROM orders"
        f" WHERE status NOT IN {_in(SLOT_FREEING)}",
    )
    found = []
    held: Counter[tuple[int, int]] = Counter()
    for order_id, worker_id, created_at, subsidy_year in rows:
        year = _timestamp(created_at).astimezone(SHANGHAI).year
        if subsidy_year != year:
            found.append(
                f"year: order {order_id} counts against {subsidy_year}, selected in {year}"
            )
        held[worker_id, year] += 1
    for (worker_id, year), count in held.items():
        if count > YEARLY_CAP:
            found.append(f"cap: worker {worker_id} holds {count} subsidised orders in {year}")
    counters = {
        (w, y): c
        for w, y, c in await _rows(conn, "SELECT worker_id, year, count FROM worker_year_counts")
    }
    for key in held.keys() | counters.keys():
        if held.get(key, 0) != counters.get(key, 0):
            found.append(
                f"cap: worker {key[0]} in {key[1]}: counter {counters.get(key, 0)},"
                f" {held.get(key, 0)} orders hold a slot"
            )
    return found


async def occupation_level_violations(conn: AsyncConnection) -> list[str]:
    """Never two slot-holding orders of one worker for the same occupation and level."""
    rows = await _rows(
        conn,
        f"""SELECT worker_id, occupation_code, level, COUNT(*) FROM orders
            WHERE status NOT IN {_in(SLOT_FREEING)}
            GROUP BY worker_id, occupation_code, level HAVING COUNT(*) > 1""",
    )
    return [
        f"occupation: worker {w} holds {n} orders for {code} level {level}"
        for w, code, level, n in rows
    ]


async def payment_violations(conn: AsyncConnection) -> list[str]:
    """A claim is paid at most once: a paid claim has exactly one payment pair for its amount,
    any other claim none; its hold matches its status; an order is `paid` exactly when its
    training claim was."""
    claims = {
        cid: (status, amount, kind, order_id)
        for cid, status, amount, kind, order_id in await _rows(
            conn, "SELECT id, status, amount_fen, kind, order_id FROM claims"
        )
    }
    found = []
    payments = await _rows(
        conn,
        """SELECT claim_id, COUNT(*), SUM(CASE WHEN amount_fen > 0 THEN amount_fen ELSE 0 END)
           FROM ledger_entries WHERE kind = 'payment' AND claim_id IS NOT NULL
           GROUP BY claim_id""",
    )
    paid_entries = {cid: (n, int(amount)) for cid, n, amount in payments}
    for cid, (status, amount, _, _) in claims.items():
        n, booked = paid_entries.get(cid, (0, 0))
        if status in PAID_CLAIM and amount > 0 and (n, booked) != (2, amount):
            found.append(
                f"paid: claim {cid} ({status}, {amount} fen) has {n} payment entries"
                f" moving {booked} fen"
            )
        if status not in PAID_CLAIM and n:
            found.append(f"paid: claim {cid} is {status} but has {n} payment entries")
    for cid in paid_entries.keys() - claims.keys():
        found.append(f"paid: payment entries for claim {cid}, which does not exist")
    for cid, status, n in await _rows(
        conn, "SELECT claim_id, status, COUNT(*) FROM fund_holds GROUP BY claim_id, status"
    ):
        claim_status = claims[cid][0] if cid in claims else None
        if n != 1 or claim_status not in HOLD_FOR_CLAIM[status]:
            found.append(f"hold: claim {cid} is {claim_status} with {n} {status} hold(s)")
    held = {cid for (cid,) in await _rows(conn, "SELECT claim_id FROM fund_holds")}
    for cid, (status, _, _, _) in claims.items():
        if status == "approved" and cid not in held:
            found.append(f"hold: claim {cid} is approved without a hold")
    training = {o: status for status, _, kind, o in claims.values() if kind == "training"}
    orders = dict(await _rows(conn, "SELECT id, status FROM orders"))
    for order_id, status in orders.items():
        claim_status = training.get(order_id)
        if status in ("claimed", "paid") and claim_status is None:
            found.append(f"order {order_id} is {status} without a training claim")
        elif claim_status is not None and (status == "paid") != (claim_status in PAID_CLAIM):
            found.append(f"order {order_id} is {status}, its training claim {claim_status}")
    return found


async def ledger_violations(conn: AsyncConnection) -> list[str]:
    """Every journal sums to zero over at least two entries; each source's balance is its
    special-account entries, never below zero at any point of its history; holds are
    covered."""
    found = [
        f"ledger: journal {txn} has {n} entries summing to {int(total)}"
        for txn, n, total in await _rows(
            conn,
            """SELECT txn_id, COUNT(*), SUM(amount_fen) FROM ledger_entries GROUP BY txn_id
               HAVING SUM(amount_fen) <> 0 OR COUNT(*) < 2""",
        )
    ]
    booked = {
        account.removeprefix("special:"): (int(total), int(lowest))
        for account, total, lowest in await _rows(
            conn,
            """SELECT account, SUM(amount_fen), MIN(running) FROM (
                 SELECT account, amount_fen,
                        SUM(amount_fen) OVER (PARTITION BY account ORDER BY id) AS running
                 FROM ledger_entries WHERE account LIKE 'special:%') s
               GROUP BY account""",
        )
    }
    pending = {
        source: int(total)
        for source, total in await _rows(
            conn,
            """SELECT source, SUM(amount_fen) FROM fund_holds WHERE status = 'pending'
               GROUP BY source""",
        )
    }
    balances = await _rows(conn, "SELECT source, balance_fen, held_fen FROM fund_balances")
    for source, balance, held in balances:
        total, lowest = booked.get(source, (0, 0))
        if balance < 0 or held < 0 or balance - held < 0:
            found.append(f"fund: {source} balance {balance}, held {held}")
        if balance != total:
            found.append(f"fund: {source} balance {balance}, its entries sum to {total}")
        if lowest < 0:
            found.append(f"fund: {source} went down to {lowest} at some point of its ledger")
        if held != pending.get(source, 0):
            found.append(
                f"fund: {source} holds {held}, pending holds sum to {pending.get(source, 0)}"
            )
    for source in booked.keys() - {s for s, _, _ in balances}:
        found.append(f"fund: entries on special:{source}, which has no balance row")
    return found


async def record_violations(conn: AsyncConnection) -> list[str]:
    """Every order and claim's latest event ends in its current status; an order's attended
    hours are its attendance records; a fulfilled request points at an order of the same
    worker, occupation and level that still holds its slot."""
    found = [
        f"events: order {oid} is {status}, its last event says {last}"
        for oid, status, last in await _rows(
            conn,
            """SELECT o.id, o.status, e.to_status FROM orders o
               LEFT JOIN order_events e ON e.id =
                 (SELECT MAX(id) FROM order_events WHERE order_id = o.id)
               WHERE e.to_status IS NULL OR e.to_status <> o.status""",
        )
    ]
    found += [
        f"events: claim {cid} is {status}, its last event says {last}"
        for cid, status, last in await _rows(
            conn,
            """SELECT c.id, c.status, e.to_status FROM claims c
               LEFT JOIN claim_events e ON e.id =
                 (SELECT MAX(id) FROM claim_events WHERE claim_id = c.id)
               WHERE e.to_status IS NULL OR e.to_status <> c.status""",
        )
    ]
    found += [
        f"attendance: order {oid} counts {hours} hours, its records {records}"
        for oid, hours, records in await _rows(
            conn,
            """SELECT o.id, o.attended_hours, COALESCE(SUM(a.hours), 0) FROM orders o
               LEFT JOIN attendance_records a ON a.order_id = o.id
               GROUP BY o.id, o.attended_hours
               HAVING ABS(o.attended_hours - COALESCE(SUM(a.hours), 0)) > 1e-6""",
        )
    ]
    found += [
        f"request: {rid} is fulfilled by order {oid} ({status})"
        for rid, oid, status in await _rows(
            conn,
            f"""SELECT r.id, r.order_id, o.status FROM training_requests r
                LEFT JOIN orders o ON o.id = r.order_id
                WHERE r.status = 'fulfilled' AND (o.id IS NULL OR o.worker_id <> r.worker_id
                  OR o.occupation_code <> r.occupation_code OR o.level <> r.level
                  OR o.status IN {_in(SLOT_FREEING)})""",
        )
    ]
    return found


CHECKS = (
    seat_violations,
    yearly_cap_violations,
    occupation_level_violations,
    payment_violations,
    ledger_violations,
    record_violations,
)


async def violations(conn: AsyncConnection) -> list[str]:
    """Every rule above, read in one snapshot where the database offers one."""
    found: list[str] = []
    for check in CHECKS:
        found += await check(conn)
    return found


async def enrolment_violations(engine: AsyncEngine) -> list[str]:
    """All the rules on enrolment's database, in one read-only transaction (REPEATABLE READ
    on PostgreSQL, so the rules are checked against one consistent snapshot)."""
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        found = await violations(conn)
        await conn.rollback()
    return found


def checker_engine(url: str) -> AsyncEngine:
    """An engine for the checks (one connection is enough)."""
    if url.startswith("sqlite"):
        return create_async_engine(url)
    return create_async_engine(url, pool_size=1, max_overflow=0)
