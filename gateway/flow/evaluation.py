"""Evaluation results and certificates: recording, corrections, public verification, a
worker's own certificates, revocation, and the certificate check before a claim."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gateway.clients import Services
from gateway.deps import Evaluator, Government, Worker, roles
from gateway.flow.evaluation_schemas import (
    Certificate,
    CertificateDetail,
    CorrectionIn,
    EvaluationOutcome,
    EvaluationResult,
    ResultIn,
    RevokeIn,
)
from gateway.problems import doc
from gateway.strict import MAX_ID, Id, path_segment
from plumbing.errors import DomainError, InvalidState
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["evaluation"])
ResultReader = Annotated[
    Principal, Depends(roles("evaluator", "government", "finance", "worker", "admin"))
]
CertificateReader = Annotated[Principal, Depends(roles("government", "evaluator", "admin"))]
# An order in these states may take (or repeat) its evaluation result.
EVALUABLE = ("completed", "certified", "failed", "claimed", "paid")


@router.post(
    "/evaluations/results",
    **doc(
        EvaluationOutcome,
        "not_found",
        "invalid_state",
        "conflict",
        "evaluation_body_inactive",
        "outside_body_scope",
        "accreditation_lapsed",
        "not_in_evaluation_catalogue",
        status=201,
    ),
)
async def record_result(body: ResultIn, user: Evaluator, request: Request, svc: Services) -> Any:
    """Record an order's result (`{order_id, passed, score}`, or theory and practical scores):
    pass or fail by the trade's rule; a pass issues a certificate and an evaluation-subsidy
    entitlement; the order becomes certified or failed. If enrolment is down the result is
    kept: repeat the call until it completes."""
    order = await svc.enrolment.call(request, "GET", f"/v1/orders/{body.order_id}", user)
    if order["status"] not in EVALUABLE:
        raise InvalidState(order["status"], "record an evaluation result")
    result = await svc.evaluation.call(
        request,
        "POST",
        "/v1/results",
        user,
        json={
            "order_id": body.order_id,
            "worker_id": order["worker_id"],
            "occupation_code": order["occupation_code"],
            "level": order["level"],
            "holder_name_masked": order["worker_name_masked"],
            **body.model_dump(exclude={"order_id"}, exclude_none=True),
        },
    )
    # Idempotent on enrolment's side too: the same outcome again returns the order.
    updated = await svc.enrolment.call(
        request,
        "POST",
        f"/v1/orders/{body.order_id}/evaluation",
        user,
        json={
            "passed": result["passed"],
            "certificate_number": result["certificate_number"],
            "result_id": result["id"],
        },
    )
    number = result["certificate_number"]
    return EvaluationOutcome(
        result_id=result["id"],
        order_id=body.order_id,
        passed=result["passed"],
        score=result["score"],
        theory_score=result["theory_score"],
        practical_score=result["practical_score"],
        certificate_number=number,
        # Evaluation gives the certificate's address with the result (no read back of it).
        verify_url=result["verify_url"] if number else None,
        order_status=updated["status"],
    ).model_dump(mode="json")


@router.get("/evaluations/results", **doc(Page[EvaluationResult]))
async def list_results(
    user: ResultReader,
    request: Request,
    svc: Services,
    order_id: Id | None = None,
    candidate_id: Id | None = None,
    worker_id: Id | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Results with every revision (corrections and their reasons), within the caller's scope."""
    params = {
        "order_id": order_id,
        "candidate_id": candidate_id,
        "worker_id": worker_id,
        "limit": limit,
        "offset": offset,
    }
    return await svc.evaluation.call(request, "GET", "/v1/results", user, params=params)


@router.get("/evaluations/results/{result_id}", **doc(EvaluationResult, "not_found"))
async def get_result(result_id: Id, user: ResultReader, request: Request, svc: Services) -> Any:
    """One result (one revision), within the caller's scope."""
    return await svc.evaluation.call(request, "GET", f"/v1/results/{result_id}", user)


@router.post(
    "/evaluations/results/{result_id}/corrections",
    **doc(
        EvaluationResult,
        "not_found",
        "conflict",
        "evaluation_body_inactive",
        "outside_body_scope",
        "certificate_revoked",
        status=201,
    ),
)
async def correct_result(
    result_id: Id, body: CorrectionIn, user: Evaluator, request: Request, svc: Services
) -> Any:
    """Correct the latest result with a reason: a new revision, the published one unchanged.
    A pass corrected into a fail revokes the certificate (claims on it are then refused); a
    certificate the authority revoked is never reissued by a correction."""
    return await svc.evaluation.call(
        request,
        "POST",
        f"/v1/results/{result_id}/corrections",
        user,
        json=body.model_dump(mode="json", exclude_none=True),
    )


@router.get("/certificates/{number}", **doc(Certificate, "not_found", auth=False))
async def verify_certificate(number: str, request: Request, svc: Services) -> Any:
    """Public verification of a certificate; no login. The holder's name is masked;
    `verify_url` is the address to print as a QR code."""
    if not 4 <= len(number) <= 64:
        raise DomainError("not_found", f"certificate {number} does not exist")
    return await svc.evaluation.call(request, "GET", f"/v1/certificates/{path_segment(number)}")


@router.get("/certificates", **doc(Page[CertificateDetail]))
async def list_certificates(
    user: CertificateReader,
    request: Request,
    svc: Services,
    worker_id: Id | None = None,
    order_id: Id | None = None,
    status: str | None = Query(None, pattern="^(valid|revoked)$"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Certificates by worker or order (government and evaluators), with revocation reasons."""
    params = {
        "worker_id": worker_id,
        "order_id": order_id,
        "status": status,
        "limit": limit,
        "offset": offset,
    }
    return await svc.evaluation.call(request, "GET", "/v1/certificates", user, params=params)


@router.get("/me/certificates", **doc(Page[CertificateDetail]))
async def my_certificates(
    user: Worker,
    request: Request,
    svc: Services,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """The worker's own certificates, revoked ones included (with the reason)."""
    params = {"limit": limit, "offset": offset}
    return await svc.evaluation.call(request, "GET", "/v1/certificates", user, params=params)


@router.post(
    "/certificates/{number}/revoke",
    **doc(CertificateDetail, "not_found", "invalid_state"),
)
async def revoke_certificate(
    number: str, body: RevokeIn, user: Government, request: Request, svc: Services
) -> Any:
    """Revoke a certificate with a reason: it verifies as revoked, no training-subsidy claim
    rests on it, and its evaluation-subsidy entitlement is cancelled."""
    return await svc.evaluation.call(
        request,
        "POST",
        f"/v1/certificates/{path_segment(number)}/revoke",
        user,
        json=body.model_dump(mode="json"),
    )


async def check_certificate_standing(
    request: Request, svc: Services, order: dict[str, Any]
) -> None:
    """Before a training-subsidy claim: the certificate the order rests on must not be
    revoked (the 2019 audit found improper certificates; they earn no subsidy)."""
    number = order.get("certificate_number")
    if not number:
        return  # enrolment refuses the claim on the order's state
    certificate = await svc.evaluation.call(
        request, "GET", f"/v1/certificates/{path_segment(number)}"
    )
    if certificate["status"] == "revoked":
        raise DomainError(
            "certificate_revoked",
            f"certificate {number} of order {order['id']} is revoked; no claim rests on it",
            certificate_number=number,
        )
