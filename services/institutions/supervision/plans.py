"""Class-start plans (开班计划, PLAN §二.(三).14): filed by the institution before its class
starts, approved or returned by government. Attendance waits for an approved plan."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
from plumbing.errors import DomainError, Forbidden, InvalidState, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.institutions.institution.service import check_officer, load, record
from services.institutions.supervision import repository
from services.institutions.supervision.models import ClassPlan
from services.institutions.supervision.schemas import ClassPlanFile, ClassPlanPublic

MAX_HOURS_PER_DAY = 12


def _check_plan(body: ClassPlanFile) -> float:
    """The schedule fits the offering: within its dates, no day over 12 hours, enough hours in
    all to teach the offering's hours, and a roster. Returns the planned hours."""
    problems = []
    today = shanghai_today()
    # PLAN §二.(三).14: the plan is filed before the class starts (on its first day at the
    # latest, Asia/Shanghai); no hour counts before it is approved (the attendance check).
    if today > body.offering_starts_on:
        problems.append(f"the offering started on {body.offering_starts_on}")
    if not body.roster:
        problems.append("the roster is empty: no order of this offering is accepted yet")
    per_day: dict[str, float] = defaultdict(float)
    for s in body.sessions:
        if not body.offering_starts_on <= s.on <= body.offering_ends_on:
            problems.append(f"session on {s.on} is outside the offering's dates")
        per_day[s.on.isoformat()] += s.hours
    problems += [
        f"{day} has {hours:g} hours planned (at most {MAX_HOURS_PER_DAY})"
        for day, hours in per_day.items()
        if hours > MAX_HOURS_PER_DAY
    ]
    planned = sum(s.hours for s in body.sessions)
    if planned < body.offering_hours:
        problems.append(f"{planned:g} hours planned, the offering has {body.offering_hours}")
    if problems:
        raise DomainError("class_plan_invalid", "; ".join(problems), problems=problems)
    return planned


def _public(plan: ClassPlan) -> ClassPlanPublic:
    return ClassPlanPublic.model_validate(plan)


async def file_plan(
    session: AsyncSession, principal: Principal, offering_id: int, body: ClassPlanFile
) -> ClassPlanPublic:
    """File (or, while not approved, re-file) the class-start plan of an offering."""
    require_role(principal, "institution")
    if principal.institution_id != body.institution_id:
        raise Forbidden("only the offering's own institution files its class plan")
    institution = await load(session, body.institution_id)
    # DESIGN "Rules": a suspended or revoked institution starts no class.
    if institution.status != "active":
        raise DomainError(
            "institution_inactive",
            f"institution {body.institution_id} is {institution.status}",
            current_status=institution.status,
        )
    planned = _check_plan(body)
    now = utcnow()
    values: dict[str, Any] = {
        "institution_id": body.institution_id,
        "unit_code": body.unit_code,
        "teaching_plan": body.teaching_plan,
        "trainers": [t.model_dump() for t in body.trainers],
        "sessions": [s.model_dump(mode="json") for s in body.sessions],
        "roster": [r.model_dump() for r in body.roster],
        "planned_hours": planned,
        "submitted_by": principal.id,
        "submitted_at": now,
    }
    existing = await repository.get_plan(session, offering_id)
    if existing is None:
        session.add(ClassPlan(offering_id=offering_id, status="submitted", **values))
        try:
            # One plan per offering (unique offering_id): a racing first filing loses here.
            await session.flush()
        except IntegrityError as exc:
            await session.rollback()
            raise DomainError("conflict", "a plan for this offering was filed just now") from exc
    elif not await repository.refile_plan(session, offering_id, values):
        raise InvalidState(existing.status, "file a class plan")
    record(
        session,
        institution,
        "class_plan_filed",
        principal,
        details={"offering_id": offering_id, "planned_hours": planned, "roster": len(body.roster)},
    )
    await session.commit()
    return _public(await get_plan(session, offering_id))


async def get_plan(session: AsyncSession, offering_id: int) -> ClassPlan:
    plan = await repository.get_plan(session, offering_id)
    if plan is None:
        raise NotFound("class plan of offering", offering_id)
    return plan


async def read_plan(
    session: AsyncSession, principal: Principal, offering_id: int
) -> ClassPlanPublic:
    """The plan, for government and for the offering's institution."""
    plan = await get_plan(session, offering_id)
    if not (principal.role == "institution" and principal.institution_id == plan.institution_id):
        check_officer(principal, plan.unit_code)
    return _public(plan)


async def plan_status(session: AsyncSession, offering_id: int) -> str | None:
    plan = await repository.get_plan(session, offering_id)
    return plan.status if plan else None


async def decide(
    session: AsyncSession,
    principal: Principal,
    offering_id: int,
    to: str,
    reason: str | None,
) -> ClassPlanPublic:
    """Government approves or returns a submitted plan (returning needs a reason)."""
    plan = await get_plan(session, offering_id)
    check_officer(principal, plan.unit_code)
    action = "approve" if to == "approved" else "return"
    if not await repository.decide_plan(
        session, offering_id, to=to, by=principal.id, at=utcnow(), reason=reason
    ):
        current = (await get_plan(session, offering_id)).status
        raise InvalidState(current, f"{action} the class plan")
    institution = await load(session, plan.institution_id)
    record(
        session,
        institution,
        f"class_plan_{to}",
        principal,
        reason=reason,
        details={"offering_id": offering_id},
    )
    await session.commit()
    return _public(await get_plan(session, offering_id))


async def list_plans(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    institution_id: int | None,
    limit: int,
    offset: int,
) -> Page[ClassPlanPublic]:
    """Plans for government to review (a county officer sees its own unit's)."""
    if principal.role == "institution":
        institution_id = principal.institution_id
        unit_code = None
    else:
        require_role(principal, "government", "admin")
        unit_code = principal.unit_code
    rows, total = await repository.list_plans(
        session,
        status=status,
        institution_id=institution_id,
        unit_code=unit_code,
        limit=limit,
        offset=offset,
    )
    return Page(items=[_public(r) for r in rows], total=total, limit=limit, offset=offset)
