"""Order 1 (劳动者提单): workers submit training requests; officers read the demand."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.errors import DomainError, InvalidState, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.enrolment.demand import repository
from services.enrolment.demand.models import LIVE_REQUEST, TrainingRequest
from services.enrolment.demand.schemas import (
    DemandAggregates,
    DemandRow,
    RequestCreate,
    RequestPublic,
)
from services.enrolment.offerings import repository as offerings
from services.enrolment.offerings.models import Offering
from services.enrolment.offerings.schemas import OfferingPublic
from services.enrolment.offerings.service import to_public as offering_public
from services.enrolment.sql import scope_filter
from services.enrolment.workers import repository as workers


def request_scope(principal: Principal) -> list[ColumnElement[bool]]:
    return scope_filter(
        principal, worker=col(TrainingRequest.worker_id), unit=col(TrainingRequest.unit_code)
    )


def to_public(request: TrainingRequest) -> RequestPublic:
    assert request.id is not None
    return RequestPublic(**request.model_dump(exclude={"id"}), id=request.id)


async def submit_request(
    session: AsyncSession, principal: Principal, body: RequestCreate
) -> RequestPublic:
    """Record what the worker wants to learn; it starts `open`."""
    require_role(principal, "worker")
    if await workers.get_profile(session, principal.id) is None:
        raise DomainError("profile_required", "complete the real-name profile first")
    now = utcnow()
    request = TrainingRequest(
        worker_id=principal.id, **body.model_dump(), status="open", created_at=now, updated_at=now
    )
    await repository.add_request(session, request)
    await session.commit()
    return to_public(request)


async def list_requests(
    session: AsyncSession, principal: Principal, status: str | None, limit: int, offset: int
) -> Page[RequestPublic]:
    """Requests in the caller's scope, newest first."""
    where = request_scope(principal)
    if status is not None:
        where.append(col(TrainingRequest.status) == status)
    items, total = await repository.list_requests(session, where, limit, offset)
    return Page(items=[to_public(r) for r in items], total=total, limit=limit, offset=offset)


async def get_request(
    session: AsyncSession, principal: Principal, request_id: int
) -> TrainingRequest:
    request = await repository.get_request(session, request_id, request_scope(principal))
    if request is None:
        raise NotFound("request", request_id)
    return request


async def match_offerings(
    session: AsyncSession, principal: Principal, request_id: int, limit: int, offset: int
) -> Page[OfferingPublic]:
    """Listed offerings with seats left for the request's occupation and level, its unit first."""
    request = await get_request(session, principal, request_id)
    where = [
        col(Offering.status) == "listed",
        col(Offering.seats_taken) < col(Offering.capacity),
        col(Offering.occupation_code) == request.occupation_code,
        col(Offering.level) == request.level,
    ]
    items, total = await offerings.list_offerings(
        session, where, limit, offset, prefer_unit=request.unit_code
    )
    return Page(items=[offering_public(o) for o in items], total=total, limit=limit, offset=offset)


async def withdraw_request(
    session: AsyncSession, principal: Principal, request_id: int
) -> RequestPublic:
    """The worker no longer wants this training: `open`/`matched` → `withdrawn`."""
    require_role(principal, "worker")
    request = await get_request(session, principal, request_id)
    assert request.id is not None
    if not await repository.set_status(session, request.id, LIVE_REQUEST, "withdrawn"):
        current = await repository.status_of(session, request.id)
        await session.rollback()
        raise InvalidState(current, "withdraw")
    await session.commit()
    return to_public(await get_request(session, principal, request_id))


async def demand_aggregates(
    session: AsyncSession,
    principal: Principal,
    occupation_code: str | None,
    level: int | None,
    unit_code: str | None,
) -> DemandAggregates:
    """The worker training-demand catalogue (PLAN §二.(二).10 item 3): live requests by
    occupation, level and unit, and how many of them a listed offering already matches."""
    require_role(principal, "government", "admin")
    where = request_scope(principal)
    wanted = {
        TrainingRequest.occupation_code: occupation_code,
        TrainingRequest.level: level,
        TrainingRequest.unit_code: unit_code,
    }
    where += [col(c) == v for c, v in wanted.items() if v is not None]
    rows = [
        DemandRow(occupation_code=o, level=lv, unit_code=u, requests=n, matched=m, unmatched=n - m)
        for o, lv, u, n, m in await repository.demand_aggregates(session, where)
    ]
    return DemandAggregates(
        items=rows,
        total_requests=sum(r.requests for r in rows),
        total_matched=sum(r.matched for r in rows),
    )
