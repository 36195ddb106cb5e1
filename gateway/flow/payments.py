"""Order 5 (政府买单): claims, approval, payment, and the special account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from gateway.clients import Downstream, Services, UpstreamProblem
from gateway.deps import Finance, Government, roles
from gateway.flow.evaluation import check_certificate_standing
from gateway.flow.payment_schemas import ClaimIn
from gateway.flow.payment_schemas import ClaimOut as Claim
from gateway.flow.payment_schemas import Funds as Balance
from gateway.flow.schemas import Deposit, DepositIn, Reason
from gateway.idempotency.service import run_once
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.db import SessionDep
from plumbing.errors import DomainError
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")
ClaimReader = Annotated[Principal, Depends(roles("institution", "government", "finance", "admin"))]
ClaimFiler = Annotated[Principal, Depends(roles("institution", "worker"))]
FundReader = Annotated[Principal, Depends(roles("finance", "government", "admin"))]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="A unique key per payment attempt; repeating it replays the first answer.",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Optional: repeating a key with the same body replays the first answer.",
    ),
]


@router.post(
    "/orders/{order_id}/claims",
    tags=["payment"],
    **doc(
        Claim,
        "not_found",
        "invalid_state",
        "delivery_not_confirmed",
        "learning_flags_open",
        "certificate_revoked",
        "already_claimed",
        "not_entitled",
        "claim_deadline_passed",
        status=201,
    ),
)
async def submit_claim(
    order_id: Id,
    user: ClaimFiler,
    request: Request,
    svc: Services,
    body: ClaimIn | None = None,
) -> Any:
    """The institution claims the training subsidy of a certified order (default) or the
    evaluation subsidy its pass earned, or the living-cost subsidy of a completed one (the
    worker may file that one too). A claim resting on a revoked certificate is refused
    (`certificate_revoked`); the evaluation subsidy's amount is the entitlement the
    evaluation service recorded, never a figure from the client."""
    claim = body or ClaimIn()
    payload = claim.model_dump(mode="json")
    if claim.kind in ("training", "evaluation"):
        order = await svc.enrolment.call(request, "GET", f"/v1/orders/{order_id}", user)
        await check_certificate_standing(request, svc, order)
    if claim.kind == "evaluation":
        payload["amount_fen"] = await evaluation_entitlement(request, svc, user, order_id)
    return await svc.enrolment.relay(
        request, "POST", f"/v1/orders/{order_id}/claims", user, json=payload, status_code=201
    )


async def evaluation_entitlement(
    request: Request, svc: Services, user: Principal, order_id: Id
) -> int:
    """The open evaluation-subsidy entitlement of the order, in fen (PLAN §二.(三).13)."""
    found = await svc.evaluation.call(
        request,
        "GET",
        "/v1/entitlements",
        user,
        params={"order_id": order_id, "status": "open"},
    )
    if not found["items"]:
        raise DomainError(
            "not_entitled", f"order {order_id} has no open evaluation-subsidy entitlement"
        )
    amount: int = found["items"][0]["amount_fen"]
    return amount


@router.get("/claims", tags=["payment"], **doc(Page[Claim]))
async def list_claims(
    user: ClaimReader,
    request: Request,
    svc: Services,
    status: str | None = Query(None, max_length=24),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Claims in the caller's scope."""
    params = {"status": status, "limit": limit, "offset": offset}
    return await svc.enrolment.relay(request, "GET", "/v1/claims", user, params=params)


@router.get("/claims/{claim_id}", tags=["payment"], **doc(Claim, "not_found"))
async def get_claim(claim_id: Id, user: ClaimReader, request: Request, svc: Services) -> Any:
    """One claim."""
    return await svc.enrolment.relay(request, "GET", f"/v1/claims/{claim_id}", user)


@router.post(
    "/claims/{claim_id}/approve",
    tags=["payment"],
    **doc(
        Claim,
        "not_found",
        "invalid_state",
        "public_notice_running",
        "objections_open",
        "same_person",
        "insufficient_funds",
        "idempotency_key_reused",
        "request_in_progress",
    ),
)
async def approve_claim(
    claim_id: Id,
    user: Government,
    request: Request,
    svc: Services,
    session: SessionDep,
    idempotency_key: OptionalIdempotencyKey = None,
) -> Any:
    """A government officer other than the reviewer approves a reviewed claim once its public
    notice has closed; the amount is held on its funding source (Idempotency-Key optional)."""
    path = f"/v1/claims/{claim_id}/approve"

    async def call() -> Any:
        return await svc.enrolment.call(request, "POST", path, user, json={})

    async def settle(problem: UpstreamProblem) -> Any | None:
        # A repeat after a timeout finds the claim approved: if by this officer, that was
        # the first attempt landing, and its answer is the claim.
        if problem.body.get("code") != "invalid_state":
            return None
        return await _claim_if(request, svc, user, claim_id, "approved_by")

    if idempotency_key is None:
        return await call()
    return await run_once(session, user, idempotency_key, "POST", path, None, call, settle=settle)


@router.post(
    "/claims/{claim_id}/reject", tags=["payment"], **doc(Claim, "not_found", "invalid_state")
)
async def reject_claim(
    claim_id: Id, body: Reason, user: Government, request: Request, svc: Services
) -> Any:
    """A government officer rejects a claim before payment, with a reason; a hold is voided."""
    return await svc.enrolment.call(
        request, "POST", f"/v1/claims/{claim_id}/reject", user, json=body.model_dump(mode="json")
    )


@router.post(
    "/claims/{claim_id}/pay",
    tags=["payment"],
    **doc(
        Claim,
        "not_found",
        "invalid_state",
        "already_paid",
        "insufficient_funds",
        "same_person",
        "countersign_required",
        "idempotency_key_reused",
        "request_in_progress",
    ),
)
async def pay_claim(
    claim_id: Id,
    idempotency_key: IdempotencyKey,
    user: Finance,
    request: Request,
    svc: Services,
    session: SessionDep,
) -> JSONResponse:
    """Finance (not the approver, nor the countersigner) pays an approved claim from the
    special account, once. Requires Idempotency-Key."""
    path = f"/v1/claims/{claim_id}/pay"

    async def settle(problem: UpstreamProblem) -> Any | None:
        # A repeat after a timeout finds the claim paid: if by this officer, that was the
        # first attempt landing (paid once), and its answer is the paid claim.
        if problem.body.get("code") != "already_paid":
            return None
        return await _claim_if(request, svc, user, claim_id, "paid_by")

    return await run_once(
        session,
        user,
        idempotency_key,
        "POST",
        path,
        None,
        lambda: svc.enrolment.call(request, "POST", path, user, json={}),
        settle=settle,
    )


async def _claim_if(
    request: Request, svc: Downstream, user: Principal, claim_id: int, by: str
) -> Any | None:
    """The claim, if its `by` field (approved_by, paid_by) is this caller; else None."""
    claim = await svc.enrolment.call(request, "GET", f"/v1/claims/{claim_id}", user)
    return claim if isinstance(claim, dict) and claim.get(by) == user.id else None


@router.get("/funds/balance", tags=["funds"], **doc(Balance))
async def fund_balance(user: FundReader, request: Request, svc: Services) -> Any:
    """The special account's balance, by funding source."""
    return await svc.enrolment.call(request, "GET", "/v1/funds/balance", user)


@router.post(
    "/funds/deposits",
    tags=["funds"],
    **doc(Deposit, "idempotency_key_reused", "request_in_progress", "outcome_unknown", status=201),
)
async def deposit(
    body: DepositIn,
    user: Finance,
    request: Request,
    svc: Services,
    session: SessionDep,
    idempotency_key: OptionalIdempotencyKey = None,
) -> Any:
    """Pay money into the special account from one funding source (Idempotency-Key optional)."""
    payload = body.model_dump(mode="json")

    async def call() -> Any:
        return await svc.enrolment.call(request, "POST", "/v1/funds/deposits", user, json=payload)

    if idempotency_key is None:
        return JSONResponse(await call(), status_code=201)
    return await run_once(
        session, user, idempotency_key, "POST", "/v1/funds/deposits", payload, call, 201
    )
