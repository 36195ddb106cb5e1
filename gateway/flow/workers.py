"""Step 1 (request) and the worker's own profile and eligibility."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from gateway.clients import Services
from gateway.deps import CurrentUser, Worker
from gateway.flow.certificates import held_certificates
from gateway.flow.enrolment_schemas import EligibilityDecision, WorkerProfile, WorkerProfileIn
from gateway.flow.schemas import Offering, RequestIn, TrainingRequest
from gateway.problems import doc
from gateway.ratelimit import limit
from gateway.strict import MAX_ID, Id
from plumbing.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["workers"])


@router.put(
    "/me/profile",
    **doc(
        WorkerProfile,
        "invalid_id_number",
        "invalid_phone",
        "invalid_credit_code",
        "unknown_unit",
        "id_number_taken",
        "conflict",
        "rate_limited",
    ),
)
async def put_profile(body: WorkerProfileIn, user: Worker, request: Request, svc: Services) -> Any:
    """Create or update the worker's real-name profile; the ID number comes back masked.
    Rate-limited per account (guessing whose ID number is taken is not a free oracle)."""
    limit(request, "profile", str(user.id))
    return await svc.enrolment.relay(
        request,
        "PUT",
        "/v1/workers/me/profile",
        user,
        json=body.model_dump(mode="json"),
        status_code=200,
    )


@router.get("/me/profile", **doc(WorkerProfile, "not_found"))
async def get_profile(user: Worker, request: Request, svc: Services) -> Any:
    """The worker's own profile."""
    return await svc.enrolment.call(request, "GET", "/v1/workers/me/profile", user)


@router.get("/me/eligibility", **doc(EligibilityDecision, "not_found"))
async def eligibility(
    user: Worker,
    request: Request,
    svc: Services,
    occupation_code: str | None = Query(None, min_length=1, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    offering_id: Id | None = None,
) -> Any:
    """Would a selection of this occupation and level (or of this offering) be subsidised?
    Every reason, with its code, plan clause and a sentence in Chinese (English with
    `Accept-Language: en`); the certificates the worker holds count."""
    held = await held_certificates(request, svc, user)
    params: dict[str, Any] = {
        "occupation_code": occupation_code,
        "level": level,
        "offering_id": offering_id,
        "certificate": [f"{c['occupation_code']}:{c['level']}" for c in held],
    }
    return await svc.enrolment.call(
        request, "GET", "/v1/workers/me/eligibility", user, params=params
    )


@router.post("/requests", **doc(TrainingRequest, "profile_required", "unknown_unit", status=201))
async def create_request(body: RequestIn, user: Worker, request: Request, svc: Services) -> Any:
    """Order 1 (劳动者提单): the worker asks for training in an occupation and level."""
    return await svc.enrolment.relay(
        request, "POST", "/v1/requests", user, json=body.model_dump(mode="json"), status_code=201
    )


@router.get("/requests", **doc(Page[TrainingRequest]))
async def list_requests(
    user: CurrentUser,
    request: Request,
    svc: Services,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Training requests: a worker's own, or those in an officer's scope."""
    return await svc.enrolment.relay(
        request, "GET", "/v1/requests", user, params={"limit": limit, "offset": offset}
    )


@router.get("/requests/{request_id}", **doc(TrainingRequest, "not_found"))
async def get_request(request_id: Id, user: CurrentUser, request: Request, svc: Services) -> Any:
    """One training request."""
    return await svc.enrolment.relay(request, "GET", f"/v1/requests/{request_id}", user)


@router.get("/requests/{request_id}/matches", **doc(Page[Offering], "not_found"))
async def request_matches(
    request_id: Id,
    user: CurrentUser,
    request: Request,
    svc: Services,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Listed offerings with free seats that match a request, the worker's own unit first."""
    return await svc.enrolment.relay(
        request,
        "GET",
        f"/v1/requests/{request_id}/matches",
        user,
        params={"limit": limit, "offset": offset},
    )
