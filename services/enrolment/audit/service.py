"""The tamper-evident log (issue 6, item 7): every claim transition and ledger entry is
chained, each entry carrying an HMAC over the previous one's. The key is a setting, so
whoever can write the database still cannot forge a chain that verifies."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.util import identity_key
from sqlmodel import col

from plumbing.clock import utcnow
from services.enrolment.audit.models import AuditEntry, AuditHead
from services.enrolment.claims.models import Claim, ClaimEvent
from services.enrolment.ledger.models import LedgerEntry
from services.enrolment.sql import table_of

_PENDING = "audit_pending"

# Built once: the seal runs in every transaction that touches a claim or the ledger.
_CLAIMS = table_of(Claim)
_HEADS = table_of(AuditHead)
_ENTRIES = table_of(AuditEntry)
_CLAIM_MONEY = select(
    _CLAIMS.c.id,
    _CLAIMS.c.amount_fen,
    _CLAIMS.c.payee_kind,
    _CLAIMS.c.payee_id,
    _CLAIMS.c.funding_source,
)
_LOCK_HEAD = select(_HEADS.c.seq, _HEADS.c.mac).where(_HEADS.c.id == 1).with_for_update()
_APPEND = insert(_ENTRIES)
_MOVE_HEAD = update(_HEADS).where(_HEADS.c.id == 1)


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def mac_of(key: str, previous: str, seq: int, kind: str, ref_id: int, payload: str) -> str:
    message = f"{previous}|{seq}|{kind}|{ref_id}|{payload}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def ledger_payload(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "txn_id": entry.txn_id,
        "account": entry.account,
        "source": entry.source,
        "amount_fen": entry.amount_fen,
        "kind": entry.kind,
        "claim_id": entry.claim_id,
        "deposit_id": entry.deposit_id,
    }


def claim_event_payload(ev: ClaimEvent, claim: Any) -> dict[str, Any]:
    """`claim`: the Claim, or a row with its money and payee columns, or None."""
    return {
        "claim_id": ev.claim_id,
        "from_status": ev.from_status,
        "to_status": ev.to_status,
        "actor_id": ev.actor_id,
        "actor_role": ev.actor_role,
        "reason": ev.reason,
        # The claim's money and payee, as they were: an edit of the claim breaks the chain.
        "amount_fen": claim.amount_fen if claim else None,
        "payee": f"{claim.payee_kind}:{claim.payee_id}" if claim else None,
        "funding_source": claim.funding_source if claim else None,
    }


_MONEY = frozenset({"amount_fen", "payee_kind", "payee_id", "funding_source"})


def _loaded_claim(session: AsyncSession, claim_id: int) -> Claim | None:
    """The claim as this transaction read it (every use case loads the claim it moves, with
    populate_existing, and never changes its money or payee), so its columns need no second
    read; None if it is not in the session or those columns are expired."""
    found = session.identity_map.get(identity_key(Claim, claim_id))
    if not isinstance(found, Claim) or inspect(found).expired_attributes & _MONEY:
        return None
    return found


def _clear(session: Session, _previous: SessionTransaction) -> None:
    session.info.pop(_PENDING, None)


def note(session: AsyncSession, obj: LedgerEntry | ClaimEvent) -> None:
    """Queue a new row for the chain; `seal` writes it just before the commit."""
    pending: list[LedgerEntry | ClaimEvent] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        sync = session.sync_session
        if not event.contains(sync, "after_soft_rollback", _clear):
            event.listen(sync, "after_soft_rollback", _clear)
    pending.append(obj)


async def seal(session: AsyncSession, key: str) -> None:
    """Append the queued rows to the chain, under a lock on its head (taken last, right
    before the commit, so it is held briefly and always after the domain rows)."""
    pending: list[LedgerEntry | ClaimEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    await session.flush()
    claim_ids = {p.claim_id for p in pending if isinstance(p, ClaimEvent)}
    claims: dict[int, Any] = {}
    for claim_id in claim_ids:
        known = _loaded_claim(session, claim_id)
        if known is not None:
            claims[claim_id] = known
    if missing := claim_ids - claims.keys():
        rows = await session.execute(_CLAIM_MONEY.where(_CLAIMS.c.id.in_(missing)))
        claims.update({r.id: r for r in rows})
    head = (await session.execute(_LOCK_HEAD)).one()
    seq, previous = int(head.seq), str(head.mac)
    now = utcnow()
    entries: list[dict[str, Any]] = []
    for obj in pending:
        assert obj.id is not None
        if isinstance(obj, LedgerEntry):
            kind, payload = "ledger_entry", ledger_payload(obj)
        else:
            kind, payload = "claim_event", claim_event_payload(obj, claims.get(obj.claim_id))
        seq += 1
        text = _canonical(payload)
        previous = mac_of(key, previous, seq, kind, obj.id, text)
        entries.append(
            {
                "seq": seq,
                "kind": kind,
                "ref_id": obj.id,
                "payload": text,
                "mac": previous,
                "at": now,
            }
        )
    await session.execute(_APPEND, entries)
    await session.execute(_MOVE_HEAD.values(seq=seq, mac=previous))


@dataclass
class Break:
    seq: int | None
    kind: str | None
    ref_id: int | None
    problem: str
    detail: str


@dataclass
class VerifyReport:
    checked: int
    first_broken: Break | None

    @property
    def ok(self) -> bool:
        return self.first_broken is None


async def verify(session: AsyncSession, key: str) -> VerifyReport:
    """Walk the chain from the start; report the first entry that does not verify: a wrong
    MAC (edited, reordered or removed entries), a gap, an entry whose row changed or
    vanished, a row that was never logged, or a head that does not match the last entry."""
    entries = list(
        (await session.execute(select(AuditEntry).order_by(col(AuditEntry.seq)))).scalars()
    )
    ledger: dict[int, LedgerEntry] = {
        e.id: e for e in (await session.execute(select(LedgerEntry))).scalars() if e.id
    }
    events: dict[int, ClaimEvent] = {
        e.id: e for e in (await session.execute(select(ClaimEvent))).scalars() if e.id
    }
    claims: dict[int, Claim] = {
        c.id: c for c in (await session.execute(select(Claim))).scalars() if c.id
    }
    head = (await session.execute(select(AuditHead))).scalar_one_or_none()
    previous, expected_seq = "", 1
    seen: dict[str, set[int]] = {"ledger_entry": set(), "claim_event": set()}
    for n, entry in enumerate(entries):

        def broken(
            problem: str, detail: str, e: AuditEntry = entry, checked: int = n
        ) -> VerifyReport:
            return VerifyReport(checked, Break(e.seq, e.kind, e.ref_id, problem, detail))

        if entry.seq != expected_seq:
            return broken("gap", f"expected entry {expected_seq}, found {entry.seq}")
        if not hmac.compare_digest(
            entry.mac, mac_of(key, previous, entry.seq, entry.kind, entry.ref_id, entry.payload)
        ):
            return broken("bad_mac", "the entry or the one before it was altered")
        current: dict[str, Any] | None = None
        if entry.kind == "ledger_entry" and entry.ref_id in ledger:
            current = ledger_payload(ledger[entry.ref_id])
        elif entry.kind == "claim_event" and entry.ref_id in events:
            ev = events[entry.ref_id]
            current = claim_event_payload(ev, claims.get(ev.claim_id))
        if current is None:
            return broken("row_missing", f"{entry.kind} {entry.ref_id} no longer exists")
        if _canonical(current) != entry.payload:
            return broken("row_changed", f"{entry.kind} {entry.ref_id} differs from its log")
        seen.setdefault(entry.kind, set()).add(entry.ref_id)
        previous, expected_seq = entry.mac, entry.seq + 1
    checked = len(entries)
    if head is not None and (head.seq != expected_seq - 1 or head.mac != previous):
        return VerifyReport(
            checked,
            Break(head.seq, None, None, "head_mismatch", "entries after the last were removed"),
        )
    ids: dict[str, set[int]] = {"ledger_entry": set(ledger), "claim_event": set(events)}
    for kind, rows in ids.items():
        unlogged = sorted(rows - seen[kind])
        if unlogged:
            return VerifyReport(
                checked,
                Break(
                    None, kind, unlogged[0], "unlogged", f"{kind} {unlogged[0]} is not in the log"
                ),
            )
    return VerifyReport(checked, None)


async def adopt_existing(session: AsyncSession, key: str) -> int:
    """Start the chain on a database that had claims and ledger entries before the chain
    existed: only when the chain is empty, so later unlogged rows are still reported."""
    head = (await session.execute(select(AuditHead))).scalar_one_or_none()
    if head is None or head.seq != 0:
        return 0
    rows: list[LedgerEntry | ClaimEvent] = []
    rows += (await session.execute(select(LedgerEntry).order_by(col(LedgerEntry.id)))).scalars()
    rows += (await session.execute(select(ClaimEvent).order_by(col(ClaimEvent.id)))).scalars()
    for row in rows:
        note(session, row)
    await seal(session, key)
    await session.commit()
    return len(rows)
