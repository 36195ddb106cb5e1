"""HTTP routes of worker profiles and the eligibility pre-check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from plumbing.db import SessionDep
from plumbing.errors import DomainError, wants_english
from plumbing.principal import CurrentPrincipal
from services.enrolment.deps import CipherDep
from services.enrolment.eligibility.schemas import EligibilityPublic, HeldCertificate
from services.enrolment.eligibility.service import check_eligibility
from services.enrolment.fields import Level, OccupationCode
from services.enrolment.workers import service
from services.enrolment.workers.schemas import ProfilePublic, ProfileUpdate

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


def parse_certificates(values: list[str]) -> list[HeldCertificate]:
    """`occupation_code:level` pairs, as the gateway sends them."""
    held = []
    for value in values:
        code, _, level = value.rpartition(":")
        if not code or not level.isdigit() or not 1 <= int(level) <= 5:
            raise DomainError("validation_failed", f"certificate: '{value}' is not code:level")
        held.append(HeldCertificate(occupation_code=code, level=int(level)))
    return held


@router.get("/eligibility", response_model=EligibilityPublic)
async def get_eligibility(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    offering_id: int | None = None,
    certificate: Annotated[list[str] | None, Query()] = None,
) -> EligibilityPublic:
    """Whether the worker may select now, with every reason (code, plan clause, sentence)."""
    return await check_eligibility(
        session,
        principal,
        occupation_code=occupation_code,
        level=level,
        offering_id=offering_id,
        certificates=parse_certificates(certificate or []),
        english=wants_english(request),
    )
