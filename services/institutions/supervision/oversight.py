"""Designations and inspections: what government records about an institution."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today
from plumbing.errors import DomainError
from plumbing.principal import Principal
from services.institutions.institution.schemas import DesignationPublic
from services.institutions.institution.service import check_officer, load, record
from services.institutions.supervision import repository
from services.institutions.supervision.models import Designation, Inspection
from services.institutions.supervision.schemas import (
    DesignationCreate,
    InspectionCreate,
    InspectionPublic,
)


async def designate(
    session: AsyncSession, principal: Principal, institution_id: int, body: DesignationCreate
) -> DesignationPublic:
    """Record a high-skill talent training base or a skill-master studio (PLAN §二.(二).5)."""
    institution = await load(session, institution_id)
    check_officer(principal, institution.unit_code)
    row = Designation(
        institution_id=institution_id,
        kind=body.kind,
        tier=body.tier if body.kind == "skill_base" else None,
        master_name=body.master_name if body.kind == "master_studio" else None,
        occupation_code=body.occupation_code,
        title=body.title,
        awarded_on=body.awarded_on,
        expires_on=body.expires_on,
        created_by=principal.id,
    )
    session.add(row)
    await session.flush()
    record(
        session,
        institution,
        "designate",
        principal,
        reason=body.reason,
        details=body.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
        | {"designation_id": row.id},
    )
    await session.commit()
    return DesignationPublic.model_validate(row)


async def inspect(
    session: AsyncSession, principal: Principal, institution_id: int, body: InspectionCreate
) -> InspectionPublic:
    """Record an inspection: its date, findings, severity and when follow-up is due."""
    institution = await load(session, institution_id)
    check_officer(principal, institution.unit_code)
    if body.inspected_on > shanghai_today():
        raise DomainError("validation_failed", "an inspection cannot be dated in the future")
    row = Inspection(
        institution_id=institution_id,
        inspected_on=body.inspected_on,
        findings=body.findings,
        severity=body.severity,
        follow_up_due_on=body.follow_up_due_on,
        recorded_by=principal.id,
    )
    session.add(row)
    await session.flush()
    record(
        session,
        institution,
        "inspect",
        principal,
        details={
            "inspection_id": row.id,
            "severity": body.severity,
            "inspected_on": body.inspected_on.isoformat(),
        },
    )
    await session.commit()
    return InspectionPublic.model_validate(row)


async def list_inspections(
    session: AsyncSession, principal: Principal, institution_id: int
) -> list[InspectionPublic]:
    """An institution's inspections: government, or the institution's own staff."""
    institution = await load(session, institution_id)
    if not (principal.role == "institution" and principal.institution_id == institution_id):
        check_officer(principal, institution.unit_code)
    rows = await repository.list_inspections(session, institution_id)
    return [InspectionPublic.model_validate(r) for r in rows]
