"""Evaluation sessions: a body schedules them; candidates come from completed orders or
directly (evaluation only); an evaluation-only candidate's result."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gateway.clients import Services
from gateway.deps import CurrentUser, Evaluator, roles
from gateway.flow.evaluation_schemas import (
    Candidate,
    CandidateIn,
    EvaluationResult,
    ScoresIn,
    Session,
    SessionIn,
)
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.errors import InvalidState
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["evaluation"])
Registrar = Annotated[Principal, Depends(roles("evaluator", "institution", "government", "admin"))]
CandidateReader = Annotated[Principal, Depends(roles("evaluator", "government", "admin"))]


@router.post(
    "/evaluations/sessions",
    **doc(
        Session,
        "outside_body_scope",
        "evaluation_body_inactive",
        "accreditation_lapsed",
        "not_in_evaluation_catalogue",
        status=201,
    ),
)
async def schedule_session(
    body: SessionIn, user: Evaluator, request: Request, svc: Services
) -> Any:
    """The evaluator's body schedules a session: trade, level, date, place, capacity."""
    return await svc.evaluation.call(
        request, "POST", "/v1/sessions", user, json=body.model_dump(mode="json")
    )


@router.get("/evaluations/sessions", **doc(Page[Session]))
async def list_sessions(
    user: CurrentUser,
    request: Request,
    svc: Services,
    body_id: Id | None = None,
    occupation_code: str | None = Query(None, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Scheduled sessions, by date, with seats left."""
    params = {
        "body_id": body_id,
        "occupation_code": occupation_code,
        "level": level,
        "limit": limit,
        "offset": offset,
    }
    return await svc.evaluation.call(request, "GET", "/v1/sessions", user, params=params)


@router.get("/evaluations/sessions/{session_id}", **doc(Session, "not_found"))
async def get_session(session_id: Id, user: CurrentUser, request: Request, svc: Services) -> Any:
    """One session."""
    return await svc.evaluation.call(request, "GET", f"/v1/sessions/{session_id}", user)


@router.post(
    "/evaluations/sessions/{session_id}/candidates",
    **doc(
        Candidate,
        "not_found",
        "invalid_state",
        "session_full",
        "conflict",
        "invalid_id_number",
        status=201,
    ),
)
async def register_candidate(
    session_id: Id, body: CandidateIn, user: Registrar, request: Request, svc: Services
) -> Any:
    """Register a candidate: a completed order of the session's trade and level (read from
    enrolment in the caller's scope), or directly an evaluation-only candidate by name and ID
    number (shown masked)."""
    if body.order_id is None:
        payload: dict[str, Any] = {"name": body.name, "id_number": body.id_number}
    else:
        order = await svc.enrolment.call(request, "GET", f"/v1/orders/{body.order_id}", user)
        if order["status"] != "completed":
            raise InvalidState(order["status"], "register the order for evaluation")
        payload = {
            "order_id": order["id"],
            "worker_id": order["worker_id"],
            "occupation_code": order["occupation_code"],
            "level": order["level"],
            "holder_name_masked": order["worker_name_masked"],
        }
    return await svc.evaluation.call(
        request, "POST", f"/v1/sessions/{session_id}/candidates", user, json=payload
    )


@router.get("/evaluations/sessions/{session_id}/candidates", **doc(Page[Candidate], "not_found"))
async def list_candidates(
    session_id: Id,
    user: CandidateReader,
    request: Request,
    svc: Services,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """A session's candidates, masked."""
    params = {"limit": limit, "offset": offset}
    return await svc.evaluation.call(
        request, "GET", f"/v1/sessions/{session_id}/candidates", user, params=params
    )


@router.post(
    "/evaluations/candidates/{candidate_id}/result",
    **doc(
        EvaluationResult,
        "not_found",
        "conflict",
        "evaluation_body_inactive",
        "outside_body_scope",
        status=201,
    ),
)
async def record_candidate_result(
    candidate_id: Id, body: ScoresIn, user: Evaluator, request: Request, svc: Services
) -> Any:
    """Record an evaluation-only candidate's result; a pass issues a certificate."""
    return await svc.evaluation.call(
        request,
        "POST",
        f"/v1/candidates/{candidate_id}/result",
        user,
        json=body.model_dump(mode="json", exclude_none=True),
    )
