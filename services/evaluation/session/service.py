"""Sessions (§二.(三).13): a body schedules evaluations of a trade and level; candidates are
registered from completed orders or directly; the seat count is held by the database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.crypto import PersonalDataCipher
from plumbing.errors import DomainError, Forbidden, InvalidState, NotFound
from plumbing.ids import mask_id_number, mask_name
from plumbing.principal import Principal, require_role
from services.evaluation.body.service import acting_body
from services.evaluation.catalogue.service import entry_in_force
from services.evaluation.event.repository import add_event
from services.evaluation.session import repository as repo
from services.evaluation.session.models import Candidate, EvaluationSession
from services.evaluation.session.schemas import CandidateCreate, SessionCreate

REGISTRARS = ("evaluator", "institution", "government", "admin")


def body_of(actor: Principal) -> int:
    """The evaluator's own body; an unbound evaluator account may do nothing."""
    require_role(actor, "evaluator")
    if actor.evaluation_body_id is None:
        raise Forbidden("this evaluator account is not bound to an evaluation body")
    return actor.evaluation_body_id


async def schedule_session(
    session: AsyncSession, actor: Principal, data: SessionCreate
) -> EvaluationSession:
    """An evaluator schedules a session for its own body, within the body's scope."""
    body_id = body_of(actor)
    await entry_in_force(session, data.occupation_code, data.level, data.held_on)
    await acting_body(session, body_id, data.occupation_code, data.level, data.held_on)
    row = EvaluationSession(body_id=body_id, created_by=actor.id, **data.model_dump())
    repo.add(session, row)
    await session.flush()
    assert row.id is not None
    add_event(
        session,
        entity="session",
        entity_id=row.id,
        from_status=None,
        to_status="scheduled",
        actor=actor,
    )
    await session.commit()
    return row


async def get_session(session: AsyncSession, session_id: int) -> EvaluationSession:
    row = await repo.get(session, session_id)
    if row is None:
        raise NotFound("evaluation session", session_id)
    return row


async def list_sessions(
    session: AsyncSession,
    *,
    body_id: int | None,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[EvaluationSession], int]:
    """Schedules are public to every principal: workers and institutions plan around them."""
    return await repo.list_sessions(
        session,
        body_id=body_id,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )


async def register_candidate(
    session: AsyncSession,
    cipher: PersonalDataCipher,
    actor: Principal,
    session_id: int,
    data: CandidateCreate,
) -> Candidate:
    """Take a seat: the conditional UPDATE refuses the seat past capacity, UNIQUE refuses a
    second registration of an order (or of an ID number in one session)."""
    require_role(actor, *REGISTRARS)
    target = await get_session(session, session_id)
    if actor.role == "evaluator" and body_of(actor) != target.body_id:
        raise Forbidden("an evaluator registers candidates only for its own body's sessions")
    if data.order_id is None and actor.role == "institution":
        raise Forbidden("an institution registers only its own orders")
    if data.order_id is not None and (
        data.occupation_code != target.occupation_code or data.level != target.level
    ):
        raise DomainError(
            "validation_failed",
            f"the order is for {data.occupation_code} level {data.level}; the session evaluates "
            f"{target.occupation_code} level {target.level}",
        )
    if data.order_id is not None:
        assert data.holder_name_masked is not None
        candidate = Candidate(
            session_id=session_id,
            order_id=data.order_id,
            worker_id=data.worker_id,
            name_masked=data.holder_name_masked,
            registered_by=actor.id,
        )
    else:
        assert data.name is not None
        assert data.id_number is not None
        candidate = Candidate(
            session_id=session_id,
            name_masked=mask_name(data.name),
            name_encrypted=cipher.encrypt(data.name),
            id_number_encrypted=cipher.encrypt(data.id_number),
            id_number_hash=cipher.keyed_hash(data.id_number),
            id_number_masked=mask_id_number(data.id_number),
            registered_by=actor.id,
        )
    if not await repo.take_seat(session, session_id):
        current = await get_session(session, session_id)
        if current.status != "scheduled":
            raise InvalidState(current.status, "register a candidate")
        raise DomainError(
            "session_full",
            f"evaluation session {session_id} is full ({current.capacity} seats)",
            capacity=current.capacity,
        )
    repo.add(session, candidate)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()  # gives the seat back too
        what = f"order {data.order_id}" if data.order_id else "this ID number"
        raise DomainError("conflict", f"{what} is already registered for evaluation") from exc
    assert candidate.id is not None
    add_event(
        session,
        entity="candidate",
        entity_id=candidate.id,
        from_status=None,
        to_status="registered",
        actor=actor,
    )
    await session.commit()
    return candidate


async def list_candidates(
    session: AsyncSession, actor: Principal, session_id: int, *, limit: int, offset: int
) -> tuple[Sequence[Candidate], int]:
    """The body's evaluators and government see who sits a session."""
    require_role(actor, "evaluator", "government", "admin")
    target = await get_session(session, session_id)
    if actor.role == "evaluator" and body_of(actor) != target.body_id:
        raise NotFound("evaluation session", session_id)
    return await repo.list_candidates(session, session_id, limit=limit, offset=offset)
