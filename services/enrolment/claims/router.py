"""HTTP routes of claims."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.claims import batch, lifecycle, service
from services.enrolment.claims.schemas import (
    BatchCreate,
    BatchPublic,
    ClaimCreate,
    ClaimNote,
    ClaimPublic,
    ClaimReason,
    ClaimStatus,
    ObjectionCreate,
    ObjectionDecision,
    ObjectionPublic,
)
from services.enrolment.deps import SettingsDep

router = APIRouter(prefix="/v1", tags=["claims"])


@router.post("/orders/{order_id}/claims", status_code=201, response_model=ClaimPublic)
async def submit_claim(
    order_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    body: ClaimCreate | None = None,
) -> ClaimPublic:
    """File a training, evaluation or living-cost subsidy claim on an order."""
    return await service.submit_claim(session, principal, order_id, body or ClaimCreate(), settings)


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


@router.post("/claims/pay-batch", response_model=BatchPublic)
async def pay_batch(
    body: BatchCreate, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> BatchPublic:
    """Finance pays many approved claims; repeating the key resumes an interrupted batch."""
    return await batch.run_batch(session, principal, body, settings)


@router.get("/payment-batches/{key}", response_model=BatchPublic)
async def batch_progress(key: str, principal: CurrentPrincipal, session: SessionDep) -> BatchPublic:
    """How far the caller's payment batch with this key has got."""
    return await batch.batch_progress(session, principal, key)


@router.get("/claims/{claim_id}", response_model=ClaimPublic)
async def get_claim(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> ClaimPublic:
    """One claim, if it is in the caller's scope."""
    return await service.get_claim(session, principal, claim_id)


@router.post("/claims/{claim_id}/review", response_model=ClaimPublic)
async def review_claim(
    claim_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    body: ClaimNote | None = None,
) -> ClaimPublic:
    """A government officer reviews a submitted claim; the public notice starts."""
    reason = body.reason if body else None
    return await lifecycle.review_claim(session, principal, claim_id, reason, settings)


@router.get("/claims/{claim_id}/objections", response_model=list[ObjectionPublic])
async def list_objections(
    claim_id: int, principal: CurrentPrincipal, session: SessionDep
) -> list[ObjectionPublic]:
    """Objections filed against a claim."""
    return await service.list_objections(session, principal, claim_id)


@router.post("/claims/{claim_id}/objections", status_code=201, response_model=ObjectionPublic)
async def file_objection(
    claim_id: int,
    body: ObjectionCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> ObjectionPublic:
    """Anyone logged in objects to a claim during its public notice."""
    return await lifecycle.file_objection(session, principal, claim_id, body.reason, settings)


@router.post("/objections/{objection_id}/decide", response_model=ObjectionPublic)
async def decide_objection(
    objection_id: int,
    body: ObjectionDecision,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> ObjectionPublic:
    """A government officer upholds (the claim is rejected) or dismisses an objection."""
    return await lifecycle.decide_objection(
        session, principal, objection_id, body.uphold, body.reason, settings
    )


@router.post("/claims/{claim_id}/approve", response_model=ClaimPublic)
async def approve_claim(
    claim_id: int, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> ClaimPublic:
    """A second government officer approves a reviewed claim after its notice; money is held."""
    return await lifecycle.approve_claim(session, principal, claim_id, settings)


@router.post("/claims/{claim_id}/reject", response_model=ClaimPublic)
async def reject_claim(
    claim_id: int,
    body: ClaimReason,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> ClaimPublic:
    """Government rejects an unpaid claim, with a reason; a hold is voided."""
    return await lifecycle.reject_claim(session, principal, claim_id, body.reason, settings)


@router.post("/claims/{claim_id}/countersign", response_model=ClaimPublic)
async def countersign_claim(
    claim_id: int, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> ClaimPublic:
    """A first finance officer checks a claim above the threshold before another pays it."""
    return await lifecycle.countersign_claim(session, principal, claim_id, settings)


@router.post("/claims/{claim_id}/pay", response_model=ClaimPublic)
async def pay_claim(
    claim_id: int, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> ClaimPublic:
    """Finance pays an approved claim from the special account (posts its hold)."""
    return await lifecycle.pay_claim(session, principal, claim_id, settings)


@router.post("/claims/{claim_id}/claw-back", response_model=ClaimPublic)
async def claw_back_claim(
    claim_id: int,
    body: ClaimReason,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> ClaimPublic:
    """Finance claws back a paid claim found improper: reversal and a receivable."""
    return await lifecycle.claw_back_claim(session, principal, claim_id, body.reason, settings)
