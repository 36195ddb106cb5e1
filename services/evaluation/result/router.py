"""HTTP routes for evaluation results."""

from __future__ import annotations

from fastapi import APIRouter, Response

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.result import service
from services.evaluation.result.schemas import ResultCreate, ResultPublic

router = APIRouter(prefix="/v1/results", tags=["results"])


@router.post(
    "",
    status_code=201,
    response_model=ResultPublic,
    responses={200: {"model": ResultPublic, "description": "The same result was already stored"}},
)
async def record_result(
    body: ResultCreate, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> ResultPublic:
    """Record an order's result (evaluator); a pass issues a certificate. Safe to repeat."""
    result, created = await service.record_result(session, principal, body)
    if not created:
        response.status_code = 200
    return result


@router.get("", response_model=Page[ResultPublic])
async def list_results(
    principal: CurrentPrincipal,
    session: SessionDep,
    order_id: int | None = None,
    worker_id: int | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ResultPublic]:
    """Results, by order or worker, within the caller's scope."""
    rows, total = await service.list_results(
        session, principal, order_id=order_id, worker_id=worker_id, limit=limit, offset=offset
    )
    return Page(
        items=[service.to_public(r, n) for r, n in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{result_id}", response_model=ResultPublic)
async def get_result(
    result_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ResultPublic:
    """One result within the caller's scope."""
    return await service.get_result(session, principal, result_id)
