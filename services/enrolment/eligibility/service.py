"""Gathering the facts the eligibility rules read, and the pre-check workers see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import SHANGHAI, utcnow
from plumbing.errors import NotFound
from plumbing.principal import Principal, require_role
from services.enrolment.eligibility.rules import RULE_VERSION, Facts, Reason, age_on, evaluate
from services.enrolment.eligibility.schemas import EligibilityPublic, HeldCertificate, ReasonPublic
from services.enrolment.offerings import repository as offerings
from services.enrolment.orders import repository as orders
from services.enrolment.orders.rules import subsidy_year
from services.enrolment.workers import repository as workers
from services.enrolment.workers.models import WorkerProfile


async def gather_facts(
    session: AsyncSession,
    worker_id: int,
    *,
    occupation_code: str | None,
    level: int | None,
    certificates: Sequence[HeldCertificate],
    programme: str | None,
    now: dt.datetime,
    profile: WorkerProfile | None = None,
) -> Facts:
    """The facts about this worker, now, that the rules decide on. A caller that has just
    read the worker's profile in this transaction passes it, saving a second read."""
    today = now.astimezone(SHANGHAI).date()
    if profile is None or profile.worker_id != worker_id:
        profile = await workers.get_profile(session, worker_id)
    if profile is None:
        return Facts(today=today.isoformat(), has_profile=False)
    year = subsidy_year(now)
    holds = False
    if occupation_code is not None and level is not None:
        held, holds = await orders.year_and_occupation_level(
            session, worker_id, year, occupation_code, level
        )
    else:
        held = await orders.held_this_year(session, worker_id, year)
    return Facts(
        today=today.isoformat(),
        has_profile=True,
        age=age_on(profile.birth_on, today),
        receives_pension=profile.receives_pension,
        group=profile.target_group,
        unemployment_insurance_months=profile.unemployment_insurance_months,
        registered_poor=profile.registered_poor,
        discharged_on=profile.discharged_on.isoformat() if profile.discharged_on else None,
        year=year,
        held_this_year=held,
        occupation_code=occupation_code,
        level=level,
        holds_occupation_level=holds,
        certificates=sorted([c.occupation_code, c.level] for c in certificates),
        programme=programme,
    )


def reasons_public(reasons: list[Reason], english: bool) -> list[ReasonPublic]:
    return [
        ReasonPublic(code=r.code, clause=r.rule.clause, detail=r.sentence(english)) for r in reasons
    ]


async def check_eligibility(
    session: AsyncSession,
    principal: Principal,
    *,
    occupation_code: str | None,
    level: int | None,
    offering_id: int | None,
    certificates: Sequence[HeldCertificate],
    english: bool,
) -> EligibilityPublic:
    """Whether the worker could select now, with every reason why not (the same rules and
    facts selection uses)."""
    require_role(principal, "worker")
    programme = None
    if offering_id is not None:
        offering = await offerings.get_offering(session, offering_id)
        if offering is None:
            raise NotFound("offering", offering_id)
        occupation_code, level, programme = (
            offering.occupation_code,
            offering.level,
            offering.programme,
        )
    facts = await gather_facts(
        session,
        principal.id,
        occupation_code=occupation_code,
        level=level,
        certificates=certificates,
        programme=programme,
        now=utcnow(),
    )
    reasons = evaluate(facts)
    return EligibilityPublic(
        eligible=not reasons,
        rule_version=RULE_VERSION,
        reasons=reasons_public(reasons, english),
        facts=facts.to_json(),
    )
