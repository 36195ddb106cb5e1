"""Certificates: issue with a passed result, verify publicly, list, revoke (§二.(三).12–13)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
from plumbing.errors import Forbidden, InvalidState, NotFound
from plumbing.principal import Principal, require_role
from services.evaluation.certificate import repository as repo
from services.evaluation.certificate.models import Certificate
from services.evaluation.certificate.numbers import make_number, normalise_number
from services.evaluation.entitlement import service as entitlements
from services.evaluation.event.repository import add_event
from services.evaluation.result.models import Result

ENTITY = "certificate"
STAFF = ("government", "admin", "evaluator")


async def issue_certificate(
    session: AsyncSession, actor: Principal, result: Result, occupation_name: str | None = None
) -> Certificate:
    """Issue the certificate of a passed result, inside the caller's transaction."""
    assert result.id is not None
    issued_on = shanghai_today()
    certificate = repo.add(
        session,
        Certificate(
            number=make_number(result.id, issued_on.year),
            result_id=result.id,
            order_id=result.order_id,
            candidate_id=result.candidate_id,
            worker_id=result.worker_id,
            body_id=result.body_id,
            occupation_code=result.occupation_code,
            occupation_name=occupation_name,
            level=result.level,
            holder_name_masked=result.holder_name_masked,
            issued_on=issued_on,
        ),
    )
    await session.flush()
    assert certificate.id is not None
    add_event(
        session,
        entity=ENTITY,
        entity_id=certificate.id,
        from_status=None,
        to_status="valid",
        actor=actor,
    )
    return certificate


async def verify_certificate(session: AsyncSession, number: str) -> tuple[Certificate, str | None]:
    """Public verification: anyone holding the number may check it, no principal needed.
    Returns the certificate and the name of the body that issued it."""
    found = await repo.get_with_body_name(session, normalise_number(number))
    if found is None:
        raise NotFound("certificate", number)
    return found


async def revoke_in_transaction(
    session: AsyncSession, actor: Principal, number: str, reason: str
) -> bool:
    """valid → revoked inside the caller's transaction (a correction that fails a pass)."""
    current = await repo.get_by_number(session, number, lock=True)
    if current is None or not await repo.mark_revoked(session, number, reason=reason, at=utcnow()):
        return False
    assert current.id is not None
    add_event(
        session,
        entity=ENTITY,
        entity_id=current.id,
        from_status="valid",
        to_status="revoked",
        actor=actor,
        reason=reason,
    )
    return True


async def list_certificates(
    session: AsyncSession,
    actor: Principal,
    *,
    worker_id: int | None,
    order_id: int | None = None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[tuple[Certificate, str | None]], int]:
    """Staff see any worker's certificates; a worker sees only its own."""
    if actor.role == "worker":
        if worker_id is not None and worker_id != actor.id:
            raise Forbidden("a worker may list only its own certificates")
        worker_id = actor.id
    elif actor.role not in STAFF:
        raise Forbidden(f"role '{actor.role}' may not list certificates")
    return await repo.list_certificates(
        session, worker_id=worker_id, order_id=order_id, status=status, limit=limit, offset=offset
    )


async def revoke_certificate(
    session: AsyncSession, actor: Principal, number: str, reason: str
) -> Certificate:
    """valid → revoked; verification shows it as revoked from now on."""
    require_role(actor, "government", "admin")
    number = normalise_number(number)
    current = await repo.get_by_number(session, number, lock=True)
    if current is None:
        raise NotFound("certificate", number)
    if not await repo.mark_revoked(session, number, reason=reason, at=utcnow()):
        raise InvalidState(current.status, "revoke the certificate")
    assert current.id is not None
    add_event(
        session,
        entity=ENTITY,
        entity_id=current.id,
        from_status="valid",
        to_status="revoked",
        actor=actor,
        reason=reason,
    )
    # The evaluation subsidy rests on the certificate too.
    await entitlements.cancel(
        session,
        actor,
        order_id=current.order_id,
        candidate_id=current.candidate_id,
        reason=f"certificate {number} revoked: {reason}"[:500],
    )
    await session.commit()
    revoked = await repo.get_by_number(session, number)
    assert revoked is not None
    return revoked
