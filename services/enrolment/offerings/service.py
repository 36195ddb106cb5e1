"""Order 2 (政府列单): government lists subsidised offerings; everyone browses them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import shanghai_today, utcnow
from plumbing.errors import DomainError, Forbidden, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.enrolment.demand import repository as demand
from services.enrolment.notifications import repository as notifications
from services.enrolment.notifications.service import notification
from services.enrolment.offerings import repository
from services.enrolment.offerings.models import Offering
from services.enrolment.offerings.schemas import OfferingCreate, OfferingPublic
from services.enrolment.sql import scope_filter


def to_public(offering: Offering | Row[Any]) -> OfferingPublic:
    """The answer, from the ORM row or from a plain row of the offerings table."""
    assert offering.id is not None
    fields = offering._asdict() if isinstance(offering, Row) else offering.model_dump()
    # Only a listed offering has seats to give; a closed or withdrawn one has none left.
    fields["seats_left"] = (
        offering.capacity - offering.seats_taken if offering.status == "listed" else 0
    )
    return OfferingPublic.model_validate(fields)


def offering_scope(principal: Principal) -> list[ColumnElement[bool]]:
    """Workers, evaluators and finance browse every offering; institutions and unit officers
    see their own."""
    return scope_filter(
        principal,
        institution=col(Offering.institution_id),
        unit=col(Offering.unit_code),
        everyone=("finance", "admin", "worker", "evaluator"),
    )


async def list_offering(
    session: AsyncSession, principal: Principal, body: OfferingCreate
) -> OfferingPublic:
    """List an offering; its subsidy per person is fixed now (DESIGN "Who owns what").
    Workers whose live requests it matches are told in the same transaction."""
    require_role(principal, "government")
    if principal.unit_code is not None and principal.unit_code != body.unit_code:
        raise Forbidden("a unit officer lists offerings of its own unit only")
    if body.starts_on < shanghai_today():
        raise DomainError(
            "date_in_past", f"starts_on {body.starts_on} is before today ({shanghai_today()})"
        )
    offering = Offering(
        **body.model_dump(),
        seats_taken=0,
        status="listed",
        listed_by=principal.id,
        created_at=utcnow(),
    )
    await repository.add_offering(session, offering)
    assert offering.id is not None
    matched = await demand.match_requests(
        session, offering.occupation_code, offering.level, offering.id
    )
    params = {
        "institution_name": offering.institution_name,
        "occupation_name": offering.occupation_name,
        "level": offering.level,
        "starts_on": offering.starts_on.isoformat(),
        "capacity": offering.capacity,
    }
    seen: set[int] = set()
    rows = []
    for request in matched:
        if request.worker_id not in seen:
            seen.add(request.worker_id)
            rows.append(
                notification(
                    request.worker_id,
                    "offering_matched",
                    params,
                    offering_id=offering.id,
                    request_id=request.id,
                )
            )
    notifications.add_many(session, rows)
    await session.commit()
    return to_public(offering)


async def list_offerings(
    session: AsyncSession,
    principal: Principal,
    *,
    occupation_code: str | None,
    level: int | None,
    unit_code: str | None,
    institution_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Page[OfferingPublic]:
    """Offerings in the caller's scope, filtered."""
    wanted = {
        Offering.occupation_code: occupation_code,
        Offering.level: level,
        Offering.unit_code: unit_code,
        Offering.institution_id: institution_id,
        Offering.status: status,
    }
    filters = [col(c) == v for c, v in wanted.items() if v is not None]
    items, total = await repository.list_offerings(
        session, [*offering_scope(principal), *filters], limit, offset
    )
    return Page(items=[to_public(o) for o in items], total=total, limit=limit, offset=offset)


async def get_offering(
    session: AsyncSession, principal: Principal, offering_id: int
) -> OfferingPublic:
    """One offering, if it is in the caller's scope."""
    offering = await repository.read_offering(session, offering_id, offering_scope(principal))
    if offering is None:
        raise NotFound("offering", offering_id)
    return to_public(offering)
