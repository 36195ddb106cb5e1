"""HTTP route of the audit chain's verification."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from plumbing.db import SessionDep
from plumbing.principal import CurrentPrincipal, require_role
from services.enrolment.audit import service
from services.enrolment.deps import SettingsDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class BreakPublic(BaseModel):
    seq: int | None
    kind: str | None
    ref_id: int | None
    problem: str
    detail: str


class VerifyPublic(BaseModel):
    ok: bool
    checked: int
    first_broken: BreakPublic | None


@router.get("/verify", response_model=VerifyPublic)
async def verify(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> VerifyPublic:
    """Walk the tamper-evident chain; report the first entry that does not verify."""
    require_role(principal, "finance", "government", "admin")
    report = await service.verify(session, settings.audit_key)
    broken = report.first_broken
    return VerifyPublic(
        ok=report.ok,
        checked=report.checked,
        first_broken=BreakPublic(**broken.__dict__) if broken else None,
    )
