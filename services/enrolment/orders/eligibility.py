"""The eligibility pre-check: the same rules selection applies (orders/rules.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
from plumbing.principal import Principal, require_role
from services.enrolment.orders import repository, rules
from services.enrolment.workers import repository as workers
from services.enrolment.workers.schemas import EligibilityPublic, ReasonPublic


async def check_eligibility(
    session: AsyncSession, principal: Principal, occupation_code: str | None, level: int | None
) -> EligibilityPublic:
    """Whether the worker could select a subsidised offering now, and every reason why not."""
    require_role(principal, "worker")
    profile = await workers.get_profile(session, principal.id)
    held = await repository.held_this_year(session, principal.id, rules.subsidy_year(utcnow()))
    holds = False
    if occupation_code is not None and level is not None:
        holds = await repository.holds_occupation_level(
            session, principal.id, occupation_code, level
        )
    reasons = rules.eligibility_reasons(profile, shanghai_today(), held, holds)
    return EligibilityPublic(
        eligible=not reasons,
        reasons=[ReasonPublic(code=r.code, detail=r.detail) for r in reasons],
    )
