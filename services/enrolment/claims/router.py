"""HTTP routes of claims."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.claims import service
from services.enrolment.claims.schemas import ClaimPublic, ClaimReason, ClaimStatus

router = APIRouter(prefix="/v1", tags=["claims"])


@router.post("/orders/{order_id}/claims", status_code=201, response_model=ClaimPublic)
async def submit_claim(
    order_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ClaimPublic:
    """The order's institution claims the training subsidy of a certified order."""
    return await service.submit_claim(session, principal, order_id)


@router.get("/claims", response_model=Page[ClaimPublic])
async def list_claims(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: ClaimStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ClaimPublic]:
    """Claims in the caller's scope."""
    return await service.list_claims(session, principal, status, limit, offset)


@router.get("/claims/{claim_id}", response_model=ClaimPublic)
async def get_claim(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> ClaimPublic:
    """One claim, if it is in the caller's scope."""
    return await service.get_claim(session, principal, claim_id)


@router.post("/claims/{claim_id}/approve", response_model=ClaimPublic)
async def approve_claim(
    claim_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ClaimPublic:
    """Government approves a submitted claim."""
    return await service.approve_claim(session, principal, claim_id)


@router.post("/claims/{claim_id}/reject", response_model=ClaimPublic)
async def reject_claim(
    claim_id: int, body: ClaimReason, principal: CurrentPrincipal, session: SessionDep
) -> ClaimPublic:
    """Government rejects an unpaid claim, with a reason."""
    return await service.reject_claim(session, principal, claim_id, body.reason)


@router.post("/claims/{claim_id}/pay", response_model=ClaimPublic)
async def pay_claim(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> ClaimPublic:
    """Finance pays an approved claim from the special account."""
    return await service.pay_claim(session, principal, claim_id)
