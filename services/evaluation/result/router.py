"""HTTP routes for evaluation results and their corrections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.certificate.router import verify_url
from services.evaluation.result import service
from services.evaluation.result.schemas import (
    CorrectionCreate,
    ResultCreate,
    ResultPublic,
    ResultRecorded,
    Scores,
)

router = APIRouter(prefix="/v1/results", tags=["results"])
candidates_router = APIRouter(prefix="/v1/candidates", tags=["results"])
REPEATED: dict[int | str, dict[str, Any]] = {
    200: {"model": ResultRecorded, "description": "The same result was already stored"}
}


@router.post("", status_code=201, response_model=ResultRecorded, responses=REPEATED)
async def record_result(
    body: ResultCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ResultRecorded:
    """Record an order's result (evaluator); a pass issues a certificate. Safe to repeat."""
    result, created = await service.record_result(session, principal, body)
    if not created:
        response.status_code = 200
    number = result.certificate_number
    return ResultRecorded(
        **dict(result), verify_url=verify_url(request, number) if number else None
    )


@router.get("", response_model=Page[ResultPublic])
async def list_results(
    principal: CurrentPrincipal,
    session: SessionDep,
    order_id: int | None = None,
    candidate_id: int | None = None,
    worker_id: int | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ResultPublic]:
    """Results with every revision (the history), by order, candidate or worker, in scope."""
    rows, total = await service.list_results(
        session,
        principal,
        order_id=order_id,
        candidate_id=candidate_id,
        worker_id=worker_id,
        limit=limit,
        offset=offset,
    )
    items = [service.to_public(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{result_id}", response_model=ResultPublic)
async def get_result(
    result_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ResultPublic:
    """One result within the caller's scope."""
    return await service.get_result(session, principal, result_id)


@router.post("/{result_id}/corrections", status_code=201, response_model=ResultPublic)
async def correct_result(
    result_id: int, body: CorrectionCreate, principal: CurrentPrincipal, session: SessionDep
) -> ResultPublic:
    """Correct the latest result with a reason: a new revision; the old one stays as it was."""
    return await service.correct_result(session, principal, result_id, body)


@candidates_router.post(
    "/{candidate_id}/result", status_code=201, response_model=ResultPublic, responses=REPEATED
)
async def record_candidate_result(
    candidate_id: int,
    body: Scores,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ResultPublic:
    """Record an evaluation-only candidate's result (evaluator of the session's body)."""
    result, created = await service.record_candidate_result(session, principal, candidate_id, body)
    if not created:
        response.status_code = 200
    return result
