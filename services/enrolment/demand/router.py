"""HTTP routes of training requests."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.demand import service
from services.enrolment.demand.models import RequestStatus
from services.enrolment.demand.schemas import DemandAggregates, RequestCreate, RequestPublic
from services.enrolment.fields import Level, OccupationCode, UnitCode
from services.enrolment.offerings.schemas import OfferingPublic

router = APIRouter(prefix="/v1/requests", tags=["requests"])


@router.post("", status_code=201, response_model=RequestPublic)
async def submit_request(
    body: RequestCreate, principal: CurrentPrincipal, session: SessionDep
) -> RequestPublic:
    """Order 1 (劳动者提单): the worker asks for training in an occupation and level."""
    return await service.submit_request(session, principal, body)


@router.get("", response_model=Page[RequestPublic])
async def list_requests(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: RequestStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RequestPublic]:
    """Requests in the caller's scope."""
    return await service.list_requests(session, principal, status, limit, offset)


@router.get("/aggregates", response_model=DemandAggregates)
async def demand_aggregates(
    principal: CurrentPrincipal,
    session: SessionDep,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    unit_code: UnitCode | None = None,
) -> DemandAggregates:
    """The demand catalogue: live requests by occupation, level and unit, and how many are
    matched by a listed offering (government; a unit officer sees its unit)."""
    return await service.demand_aggregates(session, principal, occupation_code, level, unit_code)


@router.post("/{request_id}/withdraw", response_model=RequestPublic)
async def withdraw_request(
    request_id: int, principal: CurrentPrincipal, session: SessionDep
) -> RequestPublic:
    """The worker withdraws a request that is still open or matched."""
    return await service.withdraw_request(session, principal, request_id)


@router.get("/{request_id}", response_model=RequestPublic)
async def get_request(
    request_id: int, principal: CurrentPrincipal, session: SessionDep
) -> RequestPublic:
    """One request, if it is in the caller's scope."""
    return service.to_public(await service.get_request(session, principal, request_id))


@router.get("/{request_id}/matches", response_model=Page[OfferingPublic])
async def match_offerings(
    request_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OfferingPublic]:
    """Listed offerings with seats for the request's occupation and level, own unit first."""
    return await service.match_offerings(session, principal, request_id, limit, offset)
