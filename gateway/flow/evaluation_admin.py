"""Evaluation administration: the evaluation catalogue, bodies and their evaluators, and
evaluation-subsidy entitlements (sessions: flow/evaluation_sessions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.exc import IntegrityError

from gateway.accounts.models import Account
from gateway.accounts.schemas import StaffCreate
from gateway.accounts.security import hash_password
from gateway.clients import Services
from gateway.deps import CurrentUser, Government, roles
from gateway.flow.evaluation_schemas import (
    Body,
    BodyIn,
    CatalogueVersion,
    CatalogueVersionIn,
    CatalogueVersions,
    Entitlement,
    EvaluationCatalogue,
    EvaluatorAccount,
    ScopeIn,
)
from gateway.flow.schemas import OptionalReason, Reason
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.db import SessionDep
from plumbing.errors import DomainError, InvalidState
from plumbing.pagination import Page
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["evaluation"])
Registrar = Annotated[Principal, Depends(roles("evaluator", "institution", "government", "admin"))]
EntitlementReader = Annotated[Principal, Depends(roles("government", "finance", "admin"))]
CandidateReader = Annotated[Principal, Depends(roles("evaluator", "government", "admin"))]


# -- catalogue ---------------------------------------------------------------------------
@router.get("/evaluations/catalogue", **doc(EvaluationCatalogue, "not_in_evaluation_catalogue"))
async def evaluation_catalogue(
    user: CurrentUser,
    request: Request,
    svc: Services,
    as_of: dt.date | None = None,
    occupation_code: str | None = Query(None, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Trades in scope on `as_of` (default today), with each pass rule and subsidy standard."""
    params = {
        "as_of": as_of.isoformat() if as_of else None,
        "occupation_code": occupation_code,
        "level": level,
        "limit": limit,
        "offset": offset,
    }
    return await svc.evaluation.call(request, "GET", "/v1/catalogue/entries", user, params=params)


@router.get("/evaluations/catalogue/versions", **doc(CatalogueVersions))
async def catalogue_versions(user: CurrentUser, request: Request, svc: Services) -> Any:
    """Every catalogue version with its effective date, oldest first."""
    versions = await svc.evaluation.call(request, "GET", "/v1/catalogue/versions", user)
    return {"items": versions}


@router.post("/evaluations/catalogue/versions", **doc(CatalogueVersion, "conflict", status=201))
async def publish_catalogue_version(
    body: CatalogueVersionIn, user: Government, request: Request, svc: Services
) -> Any:
    """Publish a whole new catalogue version, in force from its (future) effective date."""
    return await svc.evaluation.call(
        request, "POST", "/v1/catalogue/versions", user, json=body.model_dump(mode="json")
    )


# -- bodies ------------------------------------------------------------------------------
@router.post(
    "/evaluations/bodies",
    **doc(Body, "invalid_credit_code", "conflict", "not_in_evaluation_catalogue", status=201),
)
async def register_body(body: BodyIn, user: Government, request: Request, svc: Services) -> Any:
    """Register a third-party or employer evaluation body with its accreditation and scope."""
    return await svc.evaluation.call(
        request, "POST", "/v1/bodies", user, json=body.model_dump(mode="json", exclude_none=True)
    )


@router.get("/evaluations/bodies", **doc(Page[Body]))
async def list_bodies(
    user: CurrentUser,
    request: Request,
    svc: Services,
    status: str | None = Query(None, pattern="^(active|suspended|revoked)$"),
    kind: str | None = Query(None, pattern="^(third_party|employer)$"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Evaluation bodies with their scope."""
    params = {"status": status, "kind": kind, "limit": limit, "offset": offset}
    return await svc.evaluation.call(request, "GET", "/v1/bodies", user, params=params)


@router.get("/evaluations/bodies/{body_id}", **doc(Body, "not_found"))
async def get_body(body_id: Id, user: CurrentUser, request: Request, svc: Services) -> Any:
    """One evaluation body."""
    return await svc.evaluation.call(request, "GET", f"/v1/bodies/{body_id}", user)


@router.put(
    "/evaluations/bodies/{body_id}/scope",
    **doc(Body, "not_found", "not_in_evaluation_catalogue"),
)
async def set_scope(
    body_id: Id, body: ScopeIn, user: Government, request: Request, svc: Services
) -> Any:
    """Replace the trades and levels the body is accredited to evaluate."""
    return await svc.evaluation.call(
        request, "PUT", f"/v1/bodies/{body_id}/scope", user, json=body.model_dump(mode="json")
    )


@router.post("/evaluations/bodies/{body_id}/suspend", **doc(Body, "not_found", "invalid_state"))
async def suspend_body(
    body_id: Id, body: Reason, user: Government, request: Request, svc: Services
) -> Any:
    """Suspend a body, with a reason: its evaluators record nothing until reinstated."""
    return await svc.evaluation.call(
        request, "POST", f"/v1/bodies/{body_id}/suspend", user, json=body.model_dump(mode="json")
    )


@router.post("/evaluations/bodies/{body_id}/reinstate", **doc(Body, "not_found", "invalid_state"))
async def reinstate_body(
    body_id: Id,
    user: Government,
    request: Request,
    svc: Services,
    body: OptionalReason | None = None,
) -> Any:
    """Reinstate a suspended body."""
    payload = (body or OptionalReason()).model_dump(mode="json")
    return await svc.evaluation.call(
        request, "POST", f"/v1/bodies/{body_id}/reinstate", user, json=payload
    )


@router.post("/evaluations/bodies/{body_id}/revoke", **doc(Body, "not_found", "invalid_state"))
async def revoke_body(
    body_id: Id, body: Reason, user: Government, request: Request, svc: Services
) -> Any:
    """Revoke a body for good, with a reason."""
    return await svc.evaluation.call(
        request, "POST", f"/v1/bodies/{body_id}/revoke", user, json=body.model_dump(mode="json")
    )


@router.post(
    "/evaluations/bodies/{body_id}/evaluators",
    **doc(EvaluatorAccount, "not_found", "invalid_state", "conflict", status=201),
)
async def create_evaluator(
    body_id: Id,
    body: StaffCreate,
    user: Government,
    request: Request,
    svc: Services,
    session: SessionDep,
) -> Any:
    """Create an evaluator login bound to one active body; it acts only within that body's scope."""
    found = await svc.evaluation.call(request, "GET", f"/v1/bodies/{body_id}", user)
    if found["status"] != "active":
        raise InvalidState(found["status"], "add an evaluator to the body")
    account = Account(
        username=body.username,
        password_hash=hash_password(body.password),
        role="evaluator",
        evaluation_body_id=body_id,
    )
    session.add(account)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DomainError(
            "conflict", f"username '{body.username}' is taken", field="username"
        ) from exc
    assert account.id is not None
    return EvaluatorAccount(
        id=account.id, username=body.username, role="evaluator", evaluation_body_id=body_id
    ).model_dump(mode="json")


# -- entitlements ------------------------------------------------------------------------
@router.get("/evaluations/entitlements", **doc(Page[Entitlement]))
async def list_entitlements(
    user: EntitlementReader,
    request: Request,
    svc: Services,
    order_id: Id | None = None,
    worker_id: Id | None = None,
    body_id: Id | None = None,
    status: str | None = Query(None, pattern="^(open|cancelled)$"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """Evaluation-subsidy entitlements earned by passed evaluations, for the payment process."""
    params = {
        "order_id": order_id,
        "worker_id": worker_id,
        "body_id": body_id,
        "status": status,
        "limit": limit,
        "offset": offset,
    }
    return await svc.evaluation.call(request, "GET", "/v1/entitlements", user, params=params)
