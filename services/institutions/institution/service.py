"""Institution use cases: registration, the catalogue of institutions, the exit mechanism."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import utcnow
from plumbing.errors import DomainError, Forbidden, InvalidState, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.institutions.institution import repository
from services.institutions.institution.models import (
    Institution,
    InstitutionApproval,
    InstitutionEvent,
)
from services.institutions.institution.schemas import (
    Approval,
    InstitutionCreate,
    InstitutionPublic,
)

# The exit mechanism (PLAN §二.(三).14: institutions are managed dynamically, with exit):
# action -> (statuses it may start from, status it leads to). Revocation is final.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
    "revoke": (("active", "suspended"), "revoked"),
}


def _check_officer(principal: Principal, unit_code: str) -> None:
    """Government (or admin) only; a unit-scoped officer acts on its own unit only."""
    require_role(principal, "government", "admin")
    if principal.unit_code is not None and principal.unit_code != unit_code:
        raise Forbidden(f"an officer of '{principal.unit_code}' may not act on '{unit_code}'")


def to_public(row: Institution, approvals: Sequence[InstitutionApproval]) -> InstitutionPublic:
    assert row.id is not None
    return InstitutionPublic(
        id=row.id,
        name=row.name,
        credit_code=row.credit_code,
        kind=row.kind,
        unit_code=row.unit_code,
        status=row.status,
        status_reason=row.status_reason,
        suspended_until=row.suspended_until,
        approvals=[Approval(occupation_code=a.occupation_code, level=a.level) for a in approvals],
        address=row.address,
        contact_name=row.contact_name,
        contact_phone=row.contact_phone,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _load(session: AsyncSession, institution_id: int) -> Institution:
    row = await repository.get(session, institution_id)
    if row is None:
        raise NotFound("institution", institution_id)
    return row


async def _public(session: AsyncSession, institution_id: int) -> InstitutionPublic:
    row = await _load(session, institution_id)
    approvals = await repository.approvals_of(session, [institution_id])
    return to_public(row, approvals.get(institution_id, []))


async def add_institution(
    session: AsyncSession, body: InstitutionCreate, actor: Principal | None, *, demo: bool = False
) -> Institution:
    """Insert an institution, its approvals and its registration event (flushes, no commit)."""
    row = Institution(
        name=body.name,
        credit_code=body.credit_code,
        kind=body.kind,
        unit_code=body.unit_code,
        address=body.address,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        is_demo=demo,
    )
    repository.add(session, row)
    try:
        # The unique credit code decides, not a prior look-up (two registrations may race).
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise DomainError(
            "conflict",
            f"credit code {body.credit_code} is already registered",
            credit_code=body.credit_code,
        ) from exc
    assert row.id is not None
    for approval in body.approvals:
        repository.add(
            session,
            InstitutionApproval(
                institution_id=row.id,
                occupation_code=approval.occupation_code,
                level=approval.level,
            ),
        )
    repository.add_event(
        session,
        InstitutionEvent(
            institution_id=row.id,
            action="register",
            from_status=None,
            to_status="active",
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else None,
        ),
    )
    await session.flush()
    return row


async def register_institution(
    session: AsyncSession, principal: Principal, body: InstitutionCreate
) -> InstitutionPublic:
    """Register an institution with its approved occupations and levels (§二.(二).8)."""
    _check_officer(principal, body.unit_code)
    row = await add_institution(session, body, principal)
    assert row.id is not None
    await session.commit()
    return await _public(session, row.id)


async def get_institution(session: AsyncSession, institution_id: int) -> InstitutionPublic:
    """One institution; the catalogue of institutions is public (§二.(二).10 item 4)."""
    return await _public(session, institution_id)


async def list_institutions(
    session: AsyncSession,
    *,
    unit_code: str | None,
    status: str | None,
    occupation_code: str | None,
    level: int | None,
    q: str | None,
    limit: int,
    offset: int,
) -> Page[InstitutionPublic]:
    """A page of institutions; workers choose institutions freely (§二.(二).8)."""
    rows, total = await repository.list_page(
        session,
        unit_code=unit_code,
        status=status,
        occupation_code=occupation_code,
        level=level,
        q=q,
        limit=limit,
        offset=offset,
    )
    approvals = await repository.approvals_of(session, [r.id for r in rows if r.id is not None])
    items = [to_public(r, approvals.get(r.id or 0, [])) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def transition(
    session: AsyncSession,
    principal: Principal,
    institution_id: int,
    action: str,
    *,
    reason: str | None,
    until: dt.date | None = None,
) -> InstitutionPublic:
    """Suspend, reinstate or revoke, recording who did it, when and why."""
    allowed_from, to = TRANSITIONS[action]
    row = await _load(session, institution_id)
    _check_officer(principal, row.unit_code)
    current = row.status
    now = utcnow()
    for _attempt in range(3):
        if current not in allowed_from:
            raise InvalidState(current, action)
        if await repository.set_status(
            session,
            institution_id,
            expected=current,
            to=to,
            reason=reason,
            until=until if to == "suspended" else None,
            at=now,
        ):
            break
        # Someone else moved it in between: look again (revoking a just-suspended one is fine).
        current = await repository.get_status(session, institution_id) or "unknown"
    else:
        raise InvalidState(current, action)
    repository.add_event(
        session,
        InstitutionEvent(
            institution_id=institution_id,
            action=action,
            from_status=current,
            to_status=to,
            actor_id=principal.id,
            actor_role=principal.role,
            reason=reason,
            at=now,
        ),
    )
    await session.commit()
    return await _public(session, institution_id)


async def list_events(
    session: AsyncSession, principal: Principal, institution_id: int
) -> list[InstitutionEvent]:
    """The status history of an institution (staff of the government only)."""
    row = await _load(session, institution_id)
    _check_officer(principal, row.unit_code)
    return list(await repository.list_events(session, institution_id))
