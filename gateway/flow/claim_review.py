"""Order 5 after filing (issue 6): review and public notice with objections, countersigning,
batch payment, clawback, and the audit check of the books."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse

from gateway.clients import Services
from gateway.deps import CurrentUser, Finance, Government, roles
from gateway.flow.payment_schemas import (
    AuditCheck,
    Batch,
    BatchIn,
    ClaimOut,
    DecisionIn,
    Note,
    Objection,
    ObjectionIn,
)
from gateway.flow.schemas import Reason
from gateway.idempotency.service import run_once
from gateway.problems import doc
from gateway.strict import Id, path_segment
from plumbing.db import SessionDep
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")
BooksReader = Annotated[Principal, Depends(roles("finance", "government", "admin"))]
ClaimReader = Annotated[Principal, Depends(roles("institution", "government", "finance", "admin"))]


@router.post(
    "/claims/{claim_id}/review",
    tags=["payment"],
    **doc(ClaimOut, "not_found", "invalid_state"),
)
async def review_claim(
    claim_id: Id, user: Government, request: Request, svc: Services, body: Note | None = None
) -> Any:
    """A government officer reviews a submitted claim; it goes on public notice (公示) for
    JINENG_PUBLIC_NOTICE_DAYS working days, or straight to `reviewed` when that is 0."""
    payload = (body or Note()).model_dump(mode="json")
    return await svc.enrolment.relay(
        request, "POST", f"/v1/claims/{claim_id}/review", user, json=payload, status_code=200
    )


@router.get(
    "/claims/{claim_id}/objections",
    tags=["payment"],
    **doc(list[Objection], "not_found"),  # type: ignore[arg-type]
)
async def list_objections(claim_id: Id, user: ClaimReader, request: Request, svc: Services) -> Any:
    """The objections filed against a claim."""
    return await svc.enrolment.call(request, "GET", f"/v1/claims/{claim_id}/objections", user)


@router.post(
    "/claims/{claim_id}/objections",
    tags=["payment"],
    **doc(Objection, "not_found", "public_notice_closed", status=201),
)
async def file_objection(
    claim_id: Id, body: ObjectionIn, user: CurrentUser, request: Request, svc: Services
) -> Any:
    """Anyone logged in objects to a claim while its public notice runs."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/claims/{claim_id}/objections", user, json=body.model_dump()
    )


@router.post(
    "/objections/{objection_id}/decide",
    tags=["payment"],
    **doc(Objection, "not_found", "invalid_state"),
)
async def decide_objection(
    objection_id: Id, body: DecisionIn, user: Government, request: Request, svc: Services
) -> Any:
    """A government officer upholds an objection (the claim is rejected) or dismisses it."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/objections/{objection_id}/decide", user, json=body.model_dump()
    )


@router.post(
    "/claims/{claim_id}/countersign",
    tags=["payment"],
    **doc(ClaimOut, "not_found", "invalid_state", "same_person"),
)
async def countersign_claim(claim_id: Id, user: Finance, request: Request, svc: Services) -> Any:
    """A first finance officer checks an approved claim above the countersign threshold;
    a different finance officer then pays it."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/claims/{claim_id}/countersign", user, json={}
    )


@router.post(
    "/claims/{claim_id}/claw-back",
    tags=["payment"],
    **doc(ClaimOut, "not_found", "invalid_state"),
)
async def claw_back_claim(
    claim_id: Id, body: Reason, user: Finance, request: Request, svc: Services
) -> Any:
    """Claw back a paid claim found improper: reversing entries and a receivable from the
    payee, never an edit."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/claims/{claim_id}/claw-back", user, json=body.model_dump()
    )


@router.post(
    "/claims/pay-batch",
    tags=["payment"],
    **doc(Batch, "not_found", "idempotency_key_reused", "request_in_progress"),
)
async def pay_batch(
    body: BatchIn,
    user: Finance,
    request: Request,
    svc: Services,
    session: SessionDep,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=200,
            description="Names the batch: repeating it after a failure resumes the batch, "
            "paying each claim once; progress at GET /payment-batches/{key}.",
        ),
    ],
) -> JSONResponse:
    """Finance pays many approved claims, one transaction each; the answer lists each claim's
    outcome (`paid`, or `failed` with its problem code)."""
    payload = {"key": idempotency_key, "claim_ids": body.claim_ids}
    return await run_once(
        session,
        user,
        idempotency_key,
        "POST",
        "/v1/claims/pay-batch",
        payload,
        lambda: svc.enrolment.call(request, "POST", "/v1/claims/pay-batch", user, json=payload),
        resumable=True,  # enrolment keeps the batch by key: a repeat resumes it
    )


@router.get("/payment-batches/{key}", tags=["payment"], **doc(Batch, "not_found"))
async def batch_progress(
    user: Finance,
    request: Request,
    svc: Services,
    key: str = Path(min_length=8, max_length=200),
) -> Any:
    """How far the caller's payment batch has got."""
    return await svc.enrolment.call(
        request, "GET", f"/v1/payment-batches/{path_segment(key)}", user
    )


@router.get("/audit/verify", tags=["funds"], **doc(AuditCheck))
async def verify_audit(user: BooksReader, request: Request, svc: Services) -> Any:
    """Check the tamper-evident chain of claim transitions and ledger entries; the first
    broken entry, if any."""
    return await svc.enrolment.call(request, "GET", "/v1/audit/verify", user)
