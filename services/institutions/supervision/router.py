"""HTTP routes of supervision: designations, class-start plans, inspections, ratings."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.institutions.config import Settings
from services.institutions.institution.schemas import DesignationPublic
from services.institutions.supervision import oversight, plans, rating
from services.institutions.supervision.schemas import (
    ClassPlanFile,
    ClassPlanPublic,
    ClassPlanStatus,
    Decision,
    DesignationCreate,
    InspectionCreate,
    InspectionPublic,
    RatingList,
    RatingRun,
    Return,
    WatchEntry,
)

router = APIRouter(prefix="/v1", tags=["supervision"])


@router.post(
    "/institutions/{institution_id}/designations",
    status_code=201,
    response_model=DesignationPublic,
)
async def designate(
    institution_id: int, body: DesignationCreate, principal: CurrentPrincipal, session: SessionDep
) -> DesignationPublic:
    """Record a high-skill talent training base or a skill-master studio."""
    return await oversight.designate(session, principal, institution_id, body)


@router.post(
    "/institutions/{institution_id}/inspections",
    status_code=201,
    response_model=InspectionPublic,
)
async def record_inspection(
    institution_id: int, body: InspectionCreate, principal: CurrentPrincipal, session: SessionDep
) -> InspectionPublic:
    """Record an inspection of an institution."""
    return await oversight.inspect(session, principal, institution_id, body)


@router.get("/institutions/{institution_id}/inspections", response_model=list[InspectionPublic])
async def list_inspections(
    institution_id: int, principal: CurrentPrincipal, session: SessionDep
) -> list[InspectionPublic]:
    """An institution's inspections, newest first."""
    return await oversight.list_inspections(session, principal, institution_id)


@router.get("/institutions/{institution_id}/ratings", response_model=RatingList)
async def list_ratings(
    institution_id: int, principal: CurrentPrincipal, session: SessionDep
) -> RatingList:
    """An institution's rating history, newest first."""
    return await rating.ratings_of(session, principal, institution_id)


@router.post("/ratings", status_code=201, response_model=RatingList)
async def rate_institutions(
    body: RatingRun, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> RatingList:
    """Compute and publish every institution's rating from enrolment's outcome counts."""
    settings: Settings = request.app.state.settings
    return await rating.rate_all(session, principal, body, settings)


@router.get("/watch-list", response_model=list[WatchEntry])
async def watch_list(principal: CurrentPrincipal, session: SessionDep) -> list[WatchEntry]:
    """Institutions past a threshold: a proposal for government, not a suspension."""
    return await rating.watch_list(session, principal)


@router.get("/class-plans", response_model=Page[ClassPlanPublic])
async def list_class_plans(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Literal["submitted", "approved", "returned"] | None = None,
    institution_id: int | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ClassPlanPublic]:
    """Class-start plans: the review queue for government, its own for an institution."""
    return await plans.list_plans(
        session,
        principal,
        status=status,
        institution_id=institution_id,
        limit=limit,
        offset=offset,
    )


@router.put("/class-plans/{offering_id}", response_model=ClassPlanPublic)
async def file_class_plan(
    offering_id: int, body: ClassPlanFile, principal: CurrentPrincipal, session: SessionDep
) -> ClassPlanPublic:
    """File or re-file (until approved) the class-start plan of an offering."""
    return await plans.file_plan(session, principal, offering_id, body)


@router.get("/class-plans/{offering_id}", response_model=ClassPlanPublic)
async def get_class_plan(
    offering_id: int, principal: CurrentPrincipal, session: SessionDep
) -> ClassPlanPublic:
    """One offering's class-start plan (government, or the offering's institution)."""
    return await plans.read_plan(session, principal, offering_id)


@router.get("/class-plans/{offering_id}/status", response_model=ClassPlanStatus)
async def class_plan_status(offering_id: int, session: SessionDep) -> ClassPlanStatus:
    """Whether an offering's plan is filed and approved (for the attendance check)."""
    return ClassPlanStatus(
        offering_id=offering_id, status=await plans.plan_status(session, offering_id)
    )


@router.post("/class-plans/{offering_id}/approve", response_model=ClassPlanPublic)
async def approve_class_plan(
    offering_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Decision | None = None,
) -> ClassPlanPublic:
    """Government approves a submitted plan: the class may start."""
    reason = body.reason if body else None
    return await plans.decide(session, principal, offering_id, "approved", reason)


@router.post("/class-plans/{offering_id}/return", response_model=ClassPlanPublic)
async def return_class_plan(
    offering_id: int, body: Return, principal: CurrentPrincipal, session: SessionDep
) -> ClassPlanPublic:
    """Government returns a submitted plan with a reason; the institution may re-file it."""
    return await plans.decide(session, principal, offering_id, "returned", body.reason)
