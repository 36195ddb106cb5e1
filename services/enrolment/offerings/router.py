"""HTTP routes of offerings."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import ReadSessionDep, SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.fields import Level, OccupationCode, UnitCode
from services.enrolment.offerings import service, withdrawal
from services.enrolment.offerings.models import OfferingStatus
from services.enrolment.offerings.schemas import (
    OfferingCreate,
    OfferingPublic,
    Withdrawal,
    WithdrawalPublic,
)

router = APIRouter(prefix="/v1/offerings", tags=["offerings"])


@router.post("", status_code=201, response_model=OfferingPublic)
async def list_offering(
    body: OfferingCreate, principal: CurrentPrincipal, session: SessionDep
) -> OfferingPublic:
    """Order 2 (政府列单): list a subsidised offering."""
    return await service.list_offering(session, principal, body)


@router.get("", response_model=Page[OfferingPublic])
async def browse_offerings(
    principal: CurrentPrincipal,
    session: ReadSessionDep,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    unit_code: UnitCode | None = None,
    institution_id: int | None = None,
    status: OfferingStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OfferingPublic]:
    """Offerings, filtered by occupation, level, unit, institution and status."""
    return await service.list_offerings(
        session,
        principal,
        occupation_code=occupation_code,
        level=level,
        unit_code=unit_code,
        institution_id=institution_id,
        status=status,
        limit=limit,
        offset=offset,
    )


@router.get("/{offering_id}", response_model=OfferingPublic)
async def get_offering(
    offering_id: int, principal: CurrentPrincipal, session: ReadSessionDep
) -> OfferingPublic:
    """One offering, with the seats left."""
    return await service.get_offering(session, principal, offering_id)


@router.post("/{offering_id}/withdraw", response_model=WithdrawalPublic)
async def withdraw_offering(
    offering_id: int, body: Withdrawal, principal: CurrentPrincipal, session: SessionDep
) -> WithdrawalPublic:
    """Withdraw a listed offering: open orders are cancelled with the reason, seats released,
    workers notified."""
    return await withdrawal.withdraw_offering(session, principal, offering_id, body.reason)
