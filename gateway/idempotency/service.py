"""Idempotency-Key handling: the same key from the same caller gets the same answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi.responses import JSONResponse
from sqlalchemy import CursorResult, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from gateway.clients import UpstreamProblem
from gateway.idempotency.models import IdempotencyRecord
from plumbing.clock import utcnow
from plumbing.errors import PROBLEM_JSON, DomainError
from plumbing.principal import Principal

# How long a first request may stay in flight before its key is considered abandoned: well
# beyond the gateway's read timeout, so only a gateway that died mid-call leaves one.
IN_FLIGHT_LEASE_S = 300.0

# After a timeout the service may or may not have done the work. Given the service's refusal
# of the repeat (e.g. `already_paid`), a settle function finds out whether it was this
# caller's own first attempt that landed, and returns the answer that attempt would have had.
Settle = Callable[[UpstreamProblem], Awaitable[Any | None]]


def _hash(method: str, path: str, body: Any) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


async def run_once(
    session: AsyncSession,
    principal: Principal,
    key: str,
    method: str,
    path: str,
    body: Any,
    call: Callable[[], Awaitable[Any]],
    success_status: int = 200,
    lease_s: float = IN_FLIGHT_LEASE_S,
    *,
    settle: Settle | None = None,
    resumable: bool = False,
) -> JSONResponse:
    """Run `call` once per (caller, key); replay the stored answer for repeats.

    The record is claimed by a unique insert before the call, so two concurrent requests
    with one key cannot both reach the service. Answers the service gave (success or
    problem) are stored; a transport failure releases the key so the client may retry.
    A record left in flight longer than `lease_s` (its gateway died mid-call) is taken over
    by the next request with the same key and body; the services' own conditional
    transitions keep that second attempt from doing anything twice.

    A read timeout (504) is different: the service may have done the work. The key is kept
    as `uncertain`, and a repeat is sent again only when the route can tell its own landed
    attempt from a refusal (`settle`) or the service itself resumes by key (`resumable`);
    otherwise the repeat is 409 `outcome_unknown`, never a second payment or deposit.
    """
    request_hash = _hash(method, path, body)
    record = IdempotencyRecord(
        account_id=principal.id, key=key, method=method, path=path, request_hash=request_hash
    )
    session.add(record)
    taken_uncertain = False
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        existing = (
            await session.execute(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.account_id == principal.id, IdempotencyRecord.key == key
                )
            )
        ).scalar_one()
        if existing.request_hash != request_hash:
            raise DomainError(
                "idempotency_key_reused", "this Idempotency-Key was used for another request"
            ) from None
        if existing.state == "done" and existing.response_status is not None:
            return _response(existing.response_status, existing.response_body, replayed=True)
        if existing.state == "uncertain":
            if settle is None and not resumable:
                raise DomainError(
                    "outcome_unknown",
                    "the first request with this Idempotency-Key timed out and may have been"
                    " carried out; check its effect before sending it again with a new key",
                ) from None
            taken = taken_uncertain = await _take_over_uncertain(session, existing)
        else:
            taken = await _take_over(session, existing, lease_s)
        if not taken:
            raise DomainError(
                "request_in_progress",
                "the first request with this Idempotency-Key is still running",
                headers={"Retry-After": "1"},
            ) from None
        record = existing

    try:
        try:
            result = await call()
            status, stored = success_status, result
        except UpstreamProblem as problem:
            if problem.status >= 500:
                raise
            settled = await settle(problem) if settle is not None and taken_uncertain else None
            if settled is None:
                status, stored = problem.status, problem.body
            else:
                status, stored = success_status, settled
    except BaseException as error:
        if taken_uncertain or (isinstance(error, DomainError) and error.code == "gateway_timeout"):
            # The service may have done it (now or on the first attempt): keep the key as
            # uncertain, so no repeat is ever taken for a fresh first attempt.
            await _update(session, record.id, state="uncertain")
        else:
            # Nothing we can vouch for happened: free the key for a retry.
            await _free(session, record.id)
        raise
    await _update(session, record.id, state="done", response_status=status, response_body=stored)
    return _response(status, stored, replayed=False)


async def _free(session: AsyncSession, record_id: int | None) -> None:
    await session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record_id))
    await session.commit()


async def _update(
    session: AsyncSession, record_id: int | None, *only_if: Any, **values: Any
) -> bool:
    """One UPDATE of the record, committed; with `only_if` conditions it is conditional, so
    of two requests racing for one record one wins. True if the record was changed."""
    result = await session.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == record_id, *only_if)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return bool(cast(CursorResult[Any], result).rowcount == 1)


async def _take_over_uncertain(session: AsyncSession, record: IdempotencyRecord) -> bool:
    """Repeat an uncertain request: one repeat at a time."""
    uncertain = col(IdempotencyRecord.state) == "uncertain"
    return await _update(session, record.id, uncertain, state="in_progress", created_at=utcnow())


async def _take_over(session: AsyncSession, record: IdempotencyRecord, lease_s: float) -> bool:
    """Claim an abandoned in-flight record: one taker wins."""
    now = utcnow()
    return await _update(
        session,
        record.id,
        col(IdempotencyRecord.state) == "in_progress",
        col(IdempotencyRecord.created_at) < now - dt.timedelta(seconds=lease_s),
        created_at=now,
    )


def _response(status: int, body: Any, *, replayed: bool) -> JSONResponse:
    media = PROBLEM_JSON if status >= 400 else "application/json"
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(body, status_code=status, media_type=media, headers=headers)
