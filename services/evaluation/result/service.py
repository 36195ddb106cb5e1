"""Recording evaluation results: one per order, a pass issues a certificate (§二.(三).12–13)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.errors import DomainError, Forbidden, NotFound
from plumbing.principal import Principal, require_role
from services.evaluation.body import repository as body_repo
from services.evaluation.certificate.service import issue_certificate
from services.evaluation.event.repository import add_event
from services.evaluation.result import repository as repo
from services.evaluation.result.models import Result
from services.evaluation.result.rules import pass_mark, passes
from services.evaluation.result.schemas import ResultCreate, ResultPublic

# What must match for a repeated post to count as the same result.
SAME_CONTENT = ("worker_id", "occupation_code", "level", "passed", "score", "holder_name_masked")
READERS = ("government", "admin", "finance", "evaluator", "worker")


def to_public(result: Result, certificate_number: str | None) -> ResultPublic:
    assert result.id is not None
    return ResultPublic(
        id=result.id,
        order_id=result.order_id,
        body_id=result.body_id,
        evaluator_id=result.evaluator_id,
        worker_id=result.worker_id,
        occupation_code=result.occupation_code,
        level=result.level,
        passed=result.passed,
        score=result.score,
        certificate_number=certificate_number,
        recorded_at=result.recorded_at,
    )


async def record_result(
    session: AsyncSession, actor: Principal, data: ResultCreate
) -> tuple[ResultPublic, bool]:
    """Record an order's result (and its certificate if passed); returns (result, created).

    Idempotent: the gateway repeats this call when enrolment was down, so the same content
    again returns the stored result; different content is a conflict."""
    require_role(actor, "evaluator")
    body_id = actor.evaluation_body_id
    if body_id is None:
        raise Forbidden("this evaluator account is not bound to an evaluation body")
    _check_pass_rule(data)

    stored = await repo.get_by_order(session, data.order_id)
    if stored is not None:
        return _replay(stored, body_id, data), False

    # A shared lock: the body cannot be suspended between this check and the commit.
    body = await body_repo.get_shared(session, body_id)
    if body is None:
        raise Forbidden(f"evaluation body {body_id} does not exist")
    if body.status != "active":
        raise DomainError(
            "evaluation_body_inactive",
            f"evaluation body {body_id} is {body.status}",
            current_status=body.status,
        )

    result = repo.add(
        session,
        Result(
            order_id=data.order_id,
            body_id=body_id,
            evaluator_id=actor.id,
            worker_id=data.worker_id,
            occupation_code=data.occupation_code,
            level=data.level,
            passed=data.passed,
            score=data.score,
            holder_name_masked=data.holder_name_masked,
        ),
    )
    try:
        await session.flush()
    except IntegrityError:
        # UNIQUE(order_id): a concurrent post for this order won; answer as a repeat.
        await session.rollback()
        stored = await repo.get_by_order(session, data.order_id)
        if stored is None:
            raise
        return _replay(stored, body_id, data), False

    assert result.id is not None
    add_event(
        session,
        entity="result",
        entity_id=result.id,
        from_status=None,
        to_status="passed" if result.passed else "failed",
        actor=actor,
    )
    # The certificate is issued in the same transaction: a pass never lacks one.
    certificate = await issue_certificate(session, actor, result) if result.passed else None
    await session.commit()
    return to_public(result, certificate.number if certificate else None), True


def _check_pass_rule(data: ResultCreate) -> None:
    """`passed` must agree with the score under the pass rule."""
    expected = passes(data.occupation_code, data.level, data.score)
    if data.passed != expected:
        mark = pass_mark(data.occupation_code, data.level)
        raise DomainError(
            "validation_failed",
            f"passed={str(data.passed).lower()} contradicts score {data.score:g}: "
            f"the pass mark for {data.occupation_code} level {data.level} is {mark:g}",
            pass_mark=mark,
        )


def _replay(stored: tuple[Result, str | None], body_id: int, data: ResultCreate) -> ResultPublic:
    result, number = stored
    differing = [f for f in SAME_CONTENT if getattr(result, f) != getattr(data, f)]
    if result.body_id != body_id:
        differing.append("body_id")
    if differing:
        raise DomainError(
            "conflict",
            f"order {data.order_id} already has a different result ({', '.join(differing)})",
            result_id=result.id,
        )
    return to_public(result, number)


async def list_results(
    session: AsyncSession,
    actor: Principal,
    *,
    order_id: int | None,
    worker_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[tuple[Result, str | None]], int]:
    """Scoped: an evaluator sees its body's results, a worker its own, the others all."""
    require_role(actor, *READERS)
    body_id = actor.evaluation_body_id if actor.role == "evaluator" else None
    if actor.role == "evaluator" and body_id is None:
        raise Forbidden("this evaluator account is not bound to an evaluation body")
    if actor.role == "worker":
        if worker_id not in (None, actor.id):
            return [], 0  # another worker's results are outside the scope
        worker_id = actor.id
    return await repo.list_results(
        session, order_id=order_id, worker_id=worker_id, body_id=body_id, limit=limit, offset=offset
    )


async def get_result(session: AsyncSession, actor: Principal, result_id: int) -> ResultPublic:
    """One result, not_found outside the caller's scope (ids do not leak)."""
    require_role(actor, *READERS)
    found = await repo.get(session, result_id)
    if found is None or not _in_scope(actor, found[0]):
        raise NotFound("result", result_id)
    return to_public(*found)


def _in_scope(actor: Principal, result: Result) -> bool:
    if actor.role == "evaluator":
        return result.body_id == actor.evaluation_body_id
    if actor.role == "worker":
        return result.worker_id == actor.id
    return True
