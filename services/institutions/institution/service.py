"""Institution use cases: registration, editing, the catalogue of institutions, the exit
mechanism, and the history that records every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
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
    ApprovalChange,
    ApprovalPublic,
    ContactEdit,
    DesignationPublic,
    InstitutionCreate,
    InstitutionEdit,
    InstitutionFull,
    InstitutionPublic,
    InstitutionStatus,
)
from services.institutions.supervision.models import Designation

# The exit mechanism (PLAN §二.(三).14: institutions are managed dynamically, with exit):
# action -> (statuses it may start from, status it leads to). Revocation is final.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
    "revoke": (("active", "suspended"), "revoked"),
}
EDITABLE = (
    "name",
    "kind",
    "address",
    "contact_name",
    "contact_phone",
    "licence_number",
    "licence_issued_on",
    "licence_expires_on",
    "yearly_capacity",
)


def check_officer(principal: Principal, unit_code: str) -> None:
    """Government (or admin) only; a unit-scoped officer acts on its own unit only."""
    require_role(principal, "government", "admin")
    if principal.unit_code is not None and principal.unit_code != unit_code:
        raise Forbidden(f"an officer of '{principal.unit_code}' may not act on '{unit_code}'")


def sees_full(principal: Principal | None, institution_id: int) -> bool:
    """Government sees the full record; an institution's staff see their own; others (workers)
    see the public catalogue entry only."""
    if principal is None:
        return False
    if principal.role in ("government", "admin"):
        return True
    return principal.role == "institution" and principal.institution_id == institution_id


def _in_force(start: dt.date | None, end: dt.date | None, today: dt.date) -> bool:
    return (start is None or start <= today) and (end is None or end >= today)


def to_view(
    row: Institution,
    approvals: Sequence[InstitutionApproval],
    designations: Sequence[Designation],
    *,
    full: bool,
    today: dt.date | None = None,
) -> InstitutionPublic | InstitutionFull:
    assert row.id is not None
    day = today or shanghai_today()
    records = [ApprovalPublic.model_validate(a) for a in approvals]
    public = InstitutionPublic(
        id=row.id,
        name=row.name,
        credit_code=row.credit_code,
        kind=row.kind,
        unit_code=row.unit_code,
        status=row.status,
        approvals=[a for a in records if _in_force(a.valid_from, a.valid_until, day)],
        designations=[
            DesignationPublic.model_validate(d)
            for d in designations
            if _in_force(d.awarded_on, d.expires_on, day)
        ],
        rating=row.rating,
        rated_at=row.rated_at,
    )
    if not full:
        return public
    return InstitutionFull(
        **public.model_dump(),
        status_reason=row.status_reason,
        suspended_until=row.suspended_until,
        address=row.address,
        contact_name=row.contact_name,
        contact_phone=row.contact_phone,
        licence_number=row.licence_number,
        licence_issued_on=row.licence_issued_on,
        licence_expires_on=row.licence_expires_on,
        yearly_capacity=row.yearly_capacity,
        on_watch=row.on_watch,
        approval_records=records,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def load(session: AsyncSession, institution_id: int) -> Institution:
    row = await repository.get(session, institution_id)
    if row is None:
        raise NotFound("institution", institution_id)
    return row


async def status_of(session: AsyncSession, institution_id: int) -> InstitutionStatus:
    status = await repository.get_status(session, institution_id)
    if status is None:
        raise NotFound("institution", institution_id)
    return InstitutionStatus.model_validate({"id": institution_id, "status": status})


async def view(
    session: AsyncSession, institution_id: int, principal: Principal | None
) -> InstitutionPublic | InstitutionFull:
    row = await load(session, institution_id)
    approvals = await repository.approvals_of(session, [institution_id])
    designations = await repository.designations_of(session, [institution_id])
    return to_view(
        row,
        approvals.get(institution_id, []),
        designations.get(institution_id, []),
        full=sees_full(principal, institution_id),
    )


def record(
    session: AsyncSession,
    row: Institution,
    action: str,
    actor: Principal | None,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    first: bool = False,
    at: dt.datetime | None = None,
) -> None:
    """Add one entry to the institution's history (PLAN §二.(三).14: a traceable record)."""
    assert row.id is not None
    repository.add_event(
        session,
        InstitutionEvent(
            institution_id=row.id,
            action=action,
            from_status=None if first else row.status,
            to_status=row.status,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else None,
            reason=reason,
            details=details,
            at=at or utcnow(),
        ),
    )


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
        licence_number=body.licence_number,
        licence_issued_on=body.licence_issued_on,
        licence_expires_on=body.licence_expires_on,
        yearly_capacity=body.yearly_capacity,
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
    today = shanghai_today()
    for approval in body.approvals:
        repository.add(
            session,
            InstitutionApproval(
                institution_id=row.id,
                occupation_code=approval.occupation_code,
                level=approval.level,
                valid_from=approval.valid_from or today,
                valid_until=approval.valid_until,
            ),
        )
    record(session, row, "register", actor, first=True)
    await session.flush()
    return row


async def register_institution(
    session: AsyncSession, principal: Principal, body: InstitutionCreate
) -> InstitutionPublic | InstitutionFull:
    """Register an institution with its approved occupations and levels (§二.(二).8)."""
    check_officer(principal, body.unit_code)
    row = await add_institution(session, body, principal)
    assert row.id is not None
    await session.commit()
    return await view(session, row.id, principal)


async def list_institutions(
    session: AsyncSession,
    principal: Principal | None,
    *,
    unit_code: str | None,
    status: str | None,
    kind: str | None,
    occupation_code: str | None,
    level: int | None,
    q: str | None,
    on_watch: bool | None,
    limit: int,
    offset: int,
) -> Page[InstitutionPublic | InstitutionFull]:
    """A page of institutions; workers choose institutions freely (§二.(二).8)."""
    today = shanghai_today()
    rows, total = await repository.list_page(
        session,
        unit_code=unit_code,
        status=status,
        kind=kind,
        occupation_code=occupation_code,
        level=level,
        q=q,
        on_watch=on_watch,
        today=today,
        limit=limit,
        offset=offset,
    )
    ids = [r.id for r in rows if r.id is not None]
    approvals = await repository.approvals_of(session, ids)
    designations = await repository.designations_of(session, ids)
    items = [
        to_view(
            r,
            approvals.get(r.id or 0, []),
            designations.get(r.id or 0, []),
            full=sees_full(principal, r.id or 0),
            today=today,
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


def _apply(row: Institution, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the values that differ; returns {field: [old, new]} for the history."""
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(row, field)
        if old != new:
            changes[field] = [v.isoformat() if isinstance(v, dt.date) else v for v in (old, new)]
            setattr(row, field, new)
    return changes


async def edit_institution(
    session: AsyncSession, principal: Principal, institution_id: int, body: InstitutionEdit
) -> InstitutionPublic | InstitutionFull:
    """Government edits an institution's record; the history keeps old and new values."""
    row = await load(session, institution_id)
    check_officer(principal, row.unit_code)
    sent = body.model_dump(include=set(EDITABLE), exclude_unset=True)
    changes = _apply(row, sent)
    if (
        row.licence_issued_on
        and row.licence_expires_on
        and row.licence_expires_on < row.licence_issued_on
    ):
        raise DomainError("validation_failed", "the licence would expire before it was issued")
    if changes:
        row.updated_at = utcnow()
        record(session, row, "edit", principal, reason=body.reason, details=changes)
        await session.commit()
    return await view(session, institution_id, principal)


async def edit_contact(
    session: AsyncSession, principal: Principal, institution_id: int, body: ContactEdit
) -> InstitutionPublic | InstitutionFull:
    """An institution's staff update its contact details (their own institution only)."""
    row = await load(session, institution_id)
    if principal.role == "institution":
        if principal.institution_id != institution_id:
            raise Forbidden("institution staff may edit only their own institution")
    else:
        check_officer(principal, row.unit_code)
    changes = _apply(
        row, body.model_dump(include={"contact_name", "contact_phone"}, exclude_unset=True)
    )
    if changes:
        row.updated_at = utcnow()
        record(session, row, "edit_contact", principal, reason=body.reason, details=changes)
        await session.commit()
    return await view(session, institution_id, principal)


async def change_approval(
    session: AsyncSession, principal: Principal, institution_id: int, body: ApprovalChange
) -> InstitutionPublic | InstitutionFull:
    """Approve an occupation and level, or change the validity of an approval."""
    row = await load(session, institution_id)
    check_officer(principal, row.unit_code)
    existing = await repository.get_approval(
        session, institution_id, body.occupation_code, body.level
    )
    valid_from = body.valid_from or (existing.valid_from if existing else shanghai_today())
    if body.valid_until is not None and body.valid_until < valid_from:
        raise DomainError("validation_failed", "valid_until must not be before valid_from")
    details: dict[str, Any] = {
        "occupation_code": body.occupation_code,
        "level": body.level,
        "valid_from": valid_from.isoformat(),
        "valid_until": body.valid_until.isoformat() if body.valid_until else None,
    }
    if existing is None:
        repository.add(
            session,
            InstitutionApproval(
                institution_id=institution_id,
                occupation_code=body.occupation_code,
                level=body.level,
                valid_from=valid_from,
                valid_until=body.valid_until,
            ),
        )
    else:
        details["was"] = {
            "valid_from": existing.valid_from.isoformat(),
            "valid_until": existing.valid_until.isoformat() if existing.valid_until else None,
        }
        existing.valid_from = valid_from
        existing.valid_until = body.valid_until
    row.updated_at = utcnow()
    record(session, row, "approve_trade", principal, reason=body.reason, details=details)
    try:
        await session.commit()
    except IntegrityError as exc:  # the same approval added twice at once
        await session.rollback()
        raise DomainError("conflict", "this approval was changed at the same time; retry") from exc
    return await view(session, institution_id, principal)


async def transition(
    session: AsyncSession,
    principal: Principal,
    institution_id: int,
    action: str,
    *,
    reason: str | None,
    until: dt.date | None = None,
) -> InstitutionPublic | InstitutionFull:
    """Suspend, reinstate or revoke, recording who did it, when and why."""
    allowed_from, to = TRANSITIONS[action]
    row = await load(session, institution_id)
    check_officer(principal, row.unit_code)
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
            details={"until": until.isoformat()} if until and to == "suspended" else None,
            at=now,
        ),
    )
    await session.commit()
    return await view(session, institution_id, principal)


async def list_events(
    session: AsyncSession, principal: Principal, institution_id: int
) -> list[InstitutionEvent]:
    """The history of an institution: government, or the institution's own staff."""
    row = await load(session, institution_id)
    if not (principal.role == "institution" and principal.institution_id == institution_id):
        check_officer(principal, row.unit_code)
    return list(await repository.list_events(session, institution_id))
