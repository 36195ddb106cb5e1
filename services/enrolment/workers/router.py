"""HTTP routes of worker profiles and the eligibility pre-check."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.principal import CurrentPrincipal
from services.enrolment.deps import CipherDep
from services.enrolment.fields import Level, OccupationCode
from services.enrolment.orders.eligibility import check_eligibility
from services.enrolment.workers import service
from services.enrolment.workers.schemas import EligibilityPublic, ProfilePublic, ProfileUpdate

router = APIRouter(prefix="/v1/workers/me", tags=["workers"])


@router.put("/profile", response_model=ProfilePublic)
async def put_profile(
    body: ProfileUpdate, principal: CurrentPrincipal, session: SessionDep, cipher: CipherDep
) -> ProfilePublic:
    """Register or update the worker's real-name profile."""
    return await service.save_profile(session, cipher, principal, body)


@router.get("/profile", response_model=ProfilePublic)
async def get_profile(
    principal: CurrentPrincipal, session: SessionDep, cipher: CipherDep
) -> ProfilePublic:
    """The worker's own profile."""
    return await service.get_profile(session, cipher, principal)


@router.get("/eligibility", response_model=EligibilityPublic)
async def get_eligibility(
    principal: CurrentPrincipal,
    session: SessionDep,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
) -> EligibilityPublic:
    """Whether the worker may select a subsidised offering now, with every reason if not."""
    return await check_eligibility(session, principal, occupation_code, level)
