"""Reconciliation (issue 6, item 7): orders ↔ claims ↔ holds ↔ ledger ↔ balances. Every break
is listed; a consistent set of books lists none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.enrolment.claims.models import Claim
from services.enrolment.ledger.models import FundBalance, FundHold, LedgerEntry, payable_account
from services.enrolment.orders.models import Order

# What a training claim's status says its order's status must be.
ORDER_OF_CLAIM = {
    "submitted": "claimed",
    "reviewed": "claimed",
    "in_public_notice": "claimed",
    "approved": "claimed",
    "rejected": "claimed",
    "paid": "paid",
    "clawed_back": "paid",
}


@dataclass(frozen=True)
class Break:
    kind: str
    ref: str
    detail: str


async def reconcile(session: AsyncSession) -> list[Break]:
    """Every inconsistency between orders, claims, holds, ledger entries and balances."""
    orders = {o.id: o for o in (await session.execute(select(Order))).scalars()}
    claims = list((await session.execute(select(Claim).order_by(col(Claim.id)))).scalars())
    holds = {h.claim_id: h for h in (await session.execute(select(FundHold))).scalars()}
    entries = list(
        (await session.execute(select(LedgerEntry).order_by(col(LedgerEntry.id)))).scalars()
    )
    balances = list((await session.execute(select(FundBalance))).scalars())
    breaks: list[Break] = []

    def found(kind: str, ref: str, detail: str) -> None:
        breaks.append(Break(kind, ref, detail))

    # Orders ↔ claims.
    training = {c.order_id: c for c in claims if c.kind == "training"}
    for order in orders.values():
        if order.status in ("claimed", "paid") and order.id not in training:
            found("order_without_claim", f"order:{order.id}", f"order is {order.status}")
    for claim in claims:
        ref = f"claim:{claim.id}"
        of = orders.get(claim.order_id)
        if of is None:
            found("claim_without_order", ref, f"order {claim.order_id} does not exist")
            continue
        if claim.kind == "training":
            expected = ORDER_OF_CLAIM[claim.status]
            if of.status != expected:
                found(
                    "claim_order_mismatch",
                    ref,
                    f"claim is {claim.status} but order {of.id} is {of.status}",
                )
            if claim.amount_fen != of.subsidy_fen:
                found(
                    "claim_amount_mismatch",
                    ref,
                    f"claim {claim.amount_fen} fen, order subsidy {of.subsidy_fen} fen",
                )

    # Claims ↔ holds.
    for claim in claims:
        ref = f"claim:{claim.id}"
        hold = holds.get(claim.id) if claim.id is not None else None
        if hold is None:
            if claim.status == "approved" and claim.amount_fen > 0:
                found("hold_missing", ref, "approved claim holds no money")
            continue
        expected_hold = {"approved": "pending", "paid": "posted", "clawed_back": "posted"}
        want = expected_hold.get(claim.status, "voided")
        if hold.status != want:
            found("hold_mismatch", ref, f"claim is {claim.status}, hold is {hold.status}")
        if hold.amount_fen != claim.amount_fen or hold.source != claim.funding_source:
            found("hold_mismatch", ref, "the hold's amount or source differs from the claim")

    # Claims ↔ ledger.
    by_claim: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        if entry.claim_id is not None:
            by_claim[entry.claim_id].append(entry)
    known = {c.id for c in claims}
    for claim_id in sorted(set(by_claim) - known):
        found("entries_without_claim", f"claim:{claim_id}", "ledger entries name no claim")
    for claim in claims:
        assert claim.id is not None
        ref = f"claim:{claim.id}"
        mine = by_claim.get(claim.id, [])
        paid = claim.status in ("paid", "clawed_back")
        payments = [e for e in mine if e.kind == "payment"]
        if not paid and mine:
            found("payment_without_paid_claim", ref, f"claim is {claim.status}")
            continue
        if paid and claim.amount_fen > 0:
            payee = payable_account(claim.payee_kind, claim.payee_id)
            to_payee = sum(e.amount_fen for e in payments if e.account == payee)
            if to_payee != claim.amount_fen:
                found(
                    "payment_mismatch",
                    ref,
                    f"claim {claim.amount_fen} fen, paid to {payee} {to_payee} fen",
                )
        if claim.status == "clawed_back" and claim.amount_fen > 0:
            kinds = {e.kind for e in mine}
            if not {"reversal", "receivable"} <= kinds:
                found("clawback_incomplete", ref, "no reversal and receivable entries")

    # Ledger: every journal balances; balances are their entries.
    journals: dict[str, int] = defaultdict(int)
    special: dict[str, int] = defaultdict(int)
    for entry in entries:
        journals[entry.txn_id] += entry.amount_fen
        if entry.account.startswith("special:"):
            special[entry.source] += entry.amount_fen
    for txn, total in journals.items():
        if total != 0:
            found("unbalanced_journal", f"txn:{txn}", f"entries sum to {total} fen")
    pending: dict[str, int] = defaultdict(int)
    for hold in holds.values():
        if hold.status == "pending":
            pending[hold.source] += hold.amount_fen
    seen = set()
    for balance in balances:
        seen.add(balance.source)
        ref = f"source:{balance.source}"
        if balance.balance_fen != special.get(balance.source, 0):
            found(
                "balance_mismatch",
                ref,
                f"balance {balance.balance_fen} fen, entries {special.get(balance.source, 0)} fen",
            )
        if balance.held_fen != pending.get(balance.source, 0):
            found(
                "held_mismatch",
                ref,
                f"held {balance.held_fen} fen, pending holds {pending.get(balance.source, 0)} fen",
            )
    for source in sorted(set(special) - seen):
        found("balance_mismatch", f"source:{source}", "entries but no balance row")
    return breaks
