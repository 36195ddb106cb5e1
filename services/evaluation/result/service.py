"""Recording evaluation results (§二.(三).12–13): scored by the trade's rule, by an
evaluator of an accredited body within its scope; a pass issues a certificate and an
evaluation-subsidy entitlement. Published results are never changed: a correction is a new
revision with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today
from plumbing.errors import DomainError, Forbidden, NotFound
from plumbing.principal import Principal, require_role
from services.evaluation.body.service import acting_body
from services.evaluation.catalogue import repository as catalogue_repo
from services.evaluation.catalogue.models import CatalogueEntry
from services.evaluation.catalogue.service import entry_in_force
from services.evaluation.certificate import repository as certificate_repo
from services.evaluation.certificate.service import issue_certificate, revoke_in_transaction
from services.evaluation.entitlement import service as entitlements
from services.evaluation.event.repository import add_event
from services.evaluation.result import repository as repo
from services.evaluation.result.models import Result
from services.evaluation.result.rules import judge
from services.evaluation.result.schemas import CorrectionCreate, ResultCreate, ResultPublic, Scores
from services.evaluation.session import repository as session_repo
from services.evaluation.session.models import EvaluationSession
from services.evaluation.session.service import body_of

# What must match for a repeated post to count as the same result.
SAME_CONTENT = (
    "worker_id",
    "occupation_code",
    "level",
    "passed",
    "score",
    "theory_score",
    "practical_score",
    "holder_name_masked",
)
READERS = ("government", "admin", "finance", "evaluator", "worker")


@dataclass
class Subject:
    """Who was evaluated: an order's worker, or an evaluation-only candidate."""

    order_id: int | None
    candidate_id: int | None
    worker_id: int | None
    occupation_code: str
    level: int
    holder_name_masked: str
    sitting: EvaluationSession | None


def to_public(result: Result) -> ResultPublic:
    return ResultPublic.model_validate(result, from_attributes=True)


async def record_result(
    session: AsyncSession, actor: Principal, data: ResultCreate
) -> tuple[ResultPublic, bool]:
    """Record an order's result; returns (result, created). Idempotent: the gateway repeats
    this call when enrolment was down, so the same content again returns the stored result."""
    body_of(actor)
    registered = await session_repo.candidate_of_order(session, data.order_id)
    subject = Subject(
        order_id=data.order_id,
        candidate_id=None,
        worker_id=data.worker_id,
        occupation_code=data.occupation_code,
        level=data.level,
        holder_name_masked=data.holder_name_masked,
        sitting=registered[1] if registered else None,
    )
    return await _record(session, actor, subject, data)


async def record_candidate_result(
    session: AsyncSession, actor: Principal, candidate_id: int, data: Scores
) -> tuple[ResultPublic, bool]:
    """Record the result of a candidate registered in a session (evaluation-only candidates
    and orders alike); the session's body and trade apply."""
    body_id = body_of(actor)
    candidate = await session_repo.get_candidate(session, candidate_id)
    sitting = await session_repo.get(session, candidate.session_id) if candidate else None
    if candidate is None or sitting is None or sitting.body_id != body_id:
        raise NotFound("candidate", candidate_id)
    if candidate.order_id is not None:
        raise DomainError(
            "validation_failed",
            f"candidate {candidate_id} came from order {candidate.order_id}: record it through "
            "the order, so the order follows the result",
        )
    subject = Subject(
        order_id=None,
        candidate_id=candidate_id,
        worker_id=None,
        occupation_code=sitting.occupation_code,
        level=sitting.level,
        holder_name_masked=candidate.name_masked,
        sitting=sitting,
    )
    return await _record(session, actor, subject, data)


async def _record(
    session: AsyncSession, actor: Principal, subject: Subject, data: Scores
) -> tuple[ResultPublic, bool]:
    body_id = body_of(actor)
    evaluated_on = subject.sitting.held_on if subject.sitting else shanghai_today()
    if evaluated_on > shanghai_today():
        raise DomainError(
            "validation_failed",
            f"the session is held on {evaluated_on}; its results come on or after that day",
        )
    entry = await entry_in_force(session, subject.occupation_code, subject.level, evaluated_on)
    passed, score = judge(
        entry,
        passed=data.passed,
        score=data.score,
        theory_score=data.theory_score,
        practical_score=data.practical_score,
    )
    content: dict[str, object] = {
        "worker_id": subject.worker_id,
        "occupation_code": subject.occupation_code,
        "level": subject.level,
        "passed": passed,
        "score": score,
        "theory_score": data.theory_score,
        "practical_score": data.practical_score,
        "holder_name_masked": subject.holder_name_masked,
    }
    stored = await repo.first_and_latest(
        session, order_id=subject.order_id, candidate_id=subject.candidate_id
    )
    if stored is not None:
        return _replay(stored, body_id, content), False

    if subject.sitting is not None and subject.sitting.body_id != body_id:
        raise Forbidden(
            f"this candidate sits a session of evaluation body {subject.sitting.body_id}; "
            "only its evaluators record the result"
        )
    # Active, accredited on the day, and in scope for this trade and level; the shared lock
    # keeps the body from being suspended between this check and the commit.
    await acting_body(session, body_id, subject.occupation_code, subject.level, evaluated_on)

    result = repo.add(
        session,
        Result(
            order_id=subject.order_id,
            candidate_id=subject.candidate_id,
            session_id=subject.sitting.id if subject.sitting else None,
            body_id=body_id,
            evaluator_id=actor.id,
            worker_id=subject.worker_id,
            occupation_code=subject.occupation_code,
            level=subject.level,
            passed=passed,
            score=score,
            theory_score=data.theory_score,
            practical_score=data.practical_score,
            theory_pass_mark=entry.theory_pass_mark,
            practical_pass_mark=entry.practical_pass_mark,
            catalogue_version_id=entry.version_id,
            evaluated_on=evaluated_on,
            holder_name_masked=subject.holder_name_masked,
        ),
    )
    try:
        await session.flush()
    except IntegrityError:
        # UNIQUE(order_id, revision): a concurrent post for this subject won; answer as a repeat.
        await session.rollback()
        stored = await repo.first_and_latest(
            session, order_id=subject.order_id, candidate_id=subject.candidate_id
        )
        if stored is None:
            raise
        return _replay(stored, body_id, content), False

    assert result.id is not None
    add_event(
        session,
        entity="result",
        entity_id=result.id,
        from_status=None,
        to_status="passed" if passed else "failed",
        actor=actor,
    )
    if passed:
        await _award(session, actor, result, entry)
    await session.commit()
    return to_public(result), True


async def _award(
    session: AsyncSession, actor: Principal, result: Result, entry: CatalogueEntry
) -> None:
    """A pass: the certificate and the evaluation-subsidy entitlement, in the same
    transaction, so a pass never lacks either."""
    certificate = await issue_certificate(session, actor, result, entry.occupation_name)
    result.certificate_number = certificate.number
    await entitlements.grant(session, actor, result, entry)
    await session.flush()


def _replay(
    stored: tuple[Result, Result], body_id: int, content: dict[str, object]
) -> ResultPublic:
    """The same first publication again returns the current revision; anything else must
    go through a correction."""
    first, latest = stored
    differing = [f for f in SAME_CONTENT if getattr(first, f) != content[f]]
    if first.body_id != body_id:
        differing.append("body_id")
    if differing:
        subject = f"order {first.order_id}" if first.order_id else f"candidate {first.candidate_id}"
        raise DomainError(
            "conflict",
            f"{subject} already has a different result ({', '.join(differing)}); "
            "a published result changes only by a correction with a reason",
            result_id=latest.id,
        )
    return to_public(latest)


async def correct_result(
    session: AsyncSession, actor: Principal, result_id: int, data: CorrectionCreate
) -> ResultPublic:
    """A correction: a new revision of the latest result, with a reason. The old one stays
    as it was. A pass corrected into a fail revokes the certificate and cancels the
    entitlement; a fail corrected into a pass issues both."""
    body_id = body_of(actor)
    current = await repo.get(session, result_id)
    if current is None or current.body_id != body_id:
        raise NotFound("result", result_id)
    stored = await repo.first_and_latest(
        session, order_id=current.order_id, candidate_id=current.candidate_id
    )
    assert stored is not None
    latest = stored[1]
    if latest.id != current.id:
        raise DomainError(
            "conflict",
            f"result {result_id} was already corrected by result {latest.id}; correct the latest",
            result_id=latest.id,
        )
    entry = await _entry_of(session, current)
    passed, score = judge(
        entry,
        passed=data.passed,
        score=data.score,
        theory_score=data.theory_score,
        practical_score=data.practical_score,
    )
    await acting_body(session, body_id, current.occupation_code, current.level, shanghai_today())
    corrected = repo.add(
        session,
        Result(
            order_id=current.order_id,
            candidate_id=current.candidate_id,
            session_id=current.session_id,
            revision=current.revision + 1,
            corrects_id=current.id,
            correction_reason=data.reason,
            body_id=body_id,
            evaluator_id=actor.id,
            worker_id=current.worker_id,
            occupation_code=current.occupation_code,
            level=current.level,
            passed=passed,
            score=score,
            theory_score=data.theory_score,
            practical_score=data.practical_score,
            theory_pass_mark=entry.theory_pass_mark,
            practical_pass_mark=entry.practical_pass_mark,
            catalogue_version_id=entry.version_id,
            evaluated_on=current.evaluated_on,
            holder_name_masked=current.holder_name_masked,
            # A pass that stays a pass keeps its certificate.
            certificate_number=current.certificate_number if passed and current.passed else None,
        ),
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        # UNIQUE(subject, revision): a concurrent correction of the same revision won.
        await session.rollback()
        raise DomainError(
            "conflict", f"result {result_id} was corrected concurrently; correct the latest"
        ) from exc
    assert corrected.id is not None
    add_event(
        session,
        entity="result",
        entity_id=corrected.id,
        from_status="passed" if current.passed else "failed",
        to_status="passed" if passed else "failed",
        actor=actor,
        reason=data.reason,
    )
    if current.passed and not passed:
        why = f"result corrected (result {corrected.id}): {data.reason}"[:500]
        if current.certificate_number:
            await revoke_in_transaction(session, actor, current.certificate_number, why)
        await entitlements.cancel(
            session, actor, order_id=current.order_id, candidate_id=current.candidate_id, reason=why
        )
    elif passed and not current.passed:
        # A certificate the authority revoked is not reissued by correcting the result away
        # and back (the audit's improper certificates must stay revoked).
        revoked = await certificate_repo.revoked_by_authority(
            session, order_id=current.order_id, candidate_id=current.candidate_id
        )
        if revoked is not None:
            await session.rollback()
            raise DomainError(
                "certificate_revoked",
                f"certificate {revoked} of this candidate was revoked by the authority; "
                "a correction cannot issue a new one",
                certificate_number=revoked,
            )
        await _award(session, actor, corrected, entry)
    await session.commit()
    return to_public(corrected)


async def _entry_of(session: AsyncSession, result: Result) -> CatalogueEntry:
    """The rule the result was judged under (its catalogue version), or, for results from
    before the catalogue existed, the version in force on its date."""
    if result.catalogue_version_id is not None:
        entry = await catalogue_repo.get_entry(
            session, result.catalogue_version_id, result.occupation_code, result.level
        )
        if entry is not None:
            return entry
    return await entry_in_force(session, result.occupation_code, result.level, result.evaluated_on)


async def list_results(
    session: AsyncSession,
    actor: Principal,
    *,
    order_id: int | None,
    candidate_id: int | None = None,
    worker_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Result], int]:
    """Scoped: an evaluator sees its body's results, a worker its own, the others all."""
    require_role(actor, *READERS)
    body_id = body_of(actor) if actor.role == "evaluator" else None
    if actor.role == "worker":
        if worker_id not in (None, actor.id):
            return [], 0  # another worker's results are outside the scope
        worker_id = actor.id
    return await repo.list_results(
        session,
        order_id=order_id,
        candidate_id=candidate_id,
        worker_id=worker_id,
        body_id=body_id,
        limit=limit,
        offset=offset,
    )


async def get_result(session: AsyncSession, actor: Principal, result_id: int) -> ResultPublic:
    """One result, not_found outside the caller's scope (ids do not leak)."""
    require_role(actor, *READERS)
    found = await repo.get(session, result_id)
    if found is None or not _in_scope(actor, found):
        raise NotFound("result", result_id)
    return to_public(found)


def _in_scope(actor: Principal, result: Result) -> bool:
    if actor.role == "evaluator":
        return result.body_id == actor.evaluation_body_id
    if actor.role == "worker":
        return result.worker_id == actor.id
    return True
