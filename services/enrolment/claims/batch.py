"""Batch payment (issue 6, item 5): many approved claims in one call, one transaction per
claim. The item is marked paid in the same transaction as the payment, so a batch retried
after a crash (same caller, same key) resumes where it stopped and pays each claim once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing import clock
from plumbing.errors import DomainError, NotFound
from plumbing.principal import Principal, require_role
from services.enrolment.claims.lifecycle import pay
from services.enrolment.claims.models import PaymentBatch, PaymentBatchItem
from services.enrolment.claims.schemas import BatchCreate, BatchItemPublic, BatchPublic
from services.enrolment.config import Settings
from services.enrolment.ledger.books import commit


async def _find(session: AsyncSession, created_by: int, key: str) -> PaymentBatch | None:
    stmt = select(PaymentBatch).where(
        col(PaymentBatch.created_by) == created_by, col(PaymentBatch.key) == key
    )
    return (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()


async def _items(session: AsyncSession, batch_id: int) -> list[PaymentBatchItem]:
    stmt = (
        select(PaymentBatchItem)
        .where(col(PaymentBatchItem.batch_id) == batch_id)
        .order_by(col(PaymentBatchItem.position))
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


async def _open(session: AsyncSession, principal: Principal, body: BatchCreate) -> PaymentBatch:
    """The batch of (caller, key): created with its items, or the existing one if the same."""
    claim_ids = list(dict.fromkeys(body.claim_ids))
    batch = await _find(session, principal.id, body.key)
    if batch is None:
        batch = PaymentBatch(
            key=body.key, created_by=principal.id, total=len(claim_ids), created_at=clock.utcnow()
        )
        session.add(batch)
        try:
            await session.flush()
            assert batch.id is not None
            session.add_all(
                PaymentBatchItem(batch_id=batch.id, claim_id=c, position=i, status="pending")
                for i, c in enumerate(claim_ids)
            )
            await session.commit()
        except IntegrityError:
            # Another request opened the same batch first, or a claim id does not exist.
            await session.rollback()
            batch = await _find(session, principal.id, body.key)
            if batch is None:
                raise DomainError("not_found", "a claim of the batch does not exist") from None
    assert batch.id is not None
    existing = [i.claim_id for i in await _items(session, batch.id)]
    if existing != claim_ids:
        raise DomainError(
            "idempotency_key_reused", "this batch key was used for another set of claims"
        )
    return batch


async def _mark(
    session: AsyncSession,
    batch_id: int,
    claim_id: int,
    status: str,
    code: str | None,
    detail: str | None,
) -> None:
    await session.execute(
        update(PaymentBatchItem)
        .where(
            col(PaymentBatchItem.batch_id) == batch_id,
            col(PaymentBatchItem.claim_id) == claim_id,
            col(PaymentBatchItem.status) == "pending",
        )
        .values(status=status, code=code, detail=detail[:500] if detail else None)
        .execution_options(synchronize_session=False)
    )


async def run_batch(
    session: AsyncSession, principal: Principal, body: BatchCreate, settings: Settings
) -> BatchPublic:
    """Pay every pending claim of the batch, each in its own transaction."""
    require_role(principal, "finance")
    batch = await _open(session, principal, body)
    batch_id = batch.id
    assert batch_id is not None
    pending = [i.claim_id for i in await _items(session, batch_id) if i.status == "pending"]
    for claim_id in pending:
        try:
            await pay(session, principal, claim_id)
            await _mark(session, batch_id, claim_id, "paid", None, None)
            await commit(session, settings.audit_key)
        except DomainError as refused:
            await session.rollback()
            await _mark(session, batch_id, claim_id, "failed", refused.code, refused.detail)
            await session.commit()
        if settings.payment_batch_delay_ms:
            await asyncio.sleep(settings.payment_batch_delay_ms / 1000)
    await session.execute(
        update(PaymentBatch)
        .where(col(PaymentBatch.id) == batch_id, col(PaymentBatch.finished_at).is_(None))
        .values(finished_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return await batch_progress(session, principal, body.key)


async def batch_progress(session: AsyncSession, principal: Principal, key: str) -> BatchPublic:
    """How far the caller's batch with this key has got."""
    require_role(principal, "finance")
    batch = await _find(session, principal.id, key)
    if batch is None or batch.id is None:
        raise NotFound("payment batch", key)
    items = await _items(session, batch.id)
    count = {s: sum(1 for i in items if i.status == s) for s in ("paid", "failed", "pending")}
    return BatchPublic(
        id=batch.id,
        key=batch.key,
        total=batch.total,
        paid=count["paid"],
        failed=count["failed"],
        pending=count["pending"],
        finished_at=batch.finished_at,
        items=[
            BatchItemPublic(claim_id=i.claim_id, status=i.status, code=i.code, detail=i.detail)
            for i in items
        ],
    )
