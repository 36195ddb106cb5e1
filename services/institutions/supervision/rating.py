"""The performance rating of institutions and the watch list (PLAN §二.(三).14).

The rating combines what enrolment counted (completion, evaluation passes, rejected claims)
with this service's inspections of the last year. An institution past a threshold is put on
the watch list: a proposal for government, never an automatic suspension.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
from plumbing.errors import Forbidden
from plumbing.principal import Principal, require_role
from services.institutions.config import Settings
from services.institutions.institution.service import check_officer, load, record
from services.institutions.supervision import repository
from services.institutions.supervision.models import Inspection, InstitutionRating
from services.institutions.supervision.schemas import (
    Outcome,
    RatingList,
    RatingPublic,
    RatingRun,
    WatchEntry,
)

# Points taken off the score for each inspection finding of the last 365 days.
PENALTY = {"none": 0, "minor": 5, "major": 15, "critical": 30}
# Weights of the three outcome rates in the score.
WEIGHTS = {"completion_rate": 0.4, "pass_rate": 0.4, "claims_kept_rate": 0.2}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def compute(outcome: Outcome, inspections: list[Inspection], settings: Settings) -> dict[str, Any]:
    """The rating of one institution: rates, penalty, score (0-100, None when there is
    nothing to rate yet) and the watch-list reasons."""
    finished = outcome.orders_completed + outcome.orders_dropped
    evaluated = outcome.orders_certified + outcome.orders_failed
    completion = _rate(outcome.orders_completed, finished)
    passing = _rate(outcome.orders_certified, evaluated)
    rejected = _rate(outcome.claims_rejected, outcome.claims_total)
    penalty = sum(PENALTY[i.severity] for i in inspections)
    parts = {
        "completion_rate": completion,
        "pass_rate": passing,
        "claims_kept_rate": None if rejected is None else 1 - rejected,
    }
    known = {k: v for k, v in parts.items() if v is not None}
    score: int | None = None
    if known:
        weight = sum(WEIGHTS[k] for k in known)
        base = 100 * sum(WEIGHTS[k] * v for k, v in known.items()) / weight
        score = max(0, min(100, round(base - penalty)))
    elif inspections:
        score = max(0, 100 - penalty)
    reasons = []
    sample = settings.watch_min_sample
    if score is not None and score < settings.watch_min_score:
        reasons.append(f"score {score} below {settings.watch_min_score}")
    if (
        completion is not None
        and finished >= sample
        and completion < settings.watch_min_completion_rate
    ):
        reasons.append(
            f"completion rate {completion:.0%} below {settings.watch_min_completion_rate:.0%}"
        )
    if passing is not None and evaluated >= sample and passing < settings.watch_min_pass_rate:
        reasons.append(
            f"evaluation pass rate {passing:.0%} below {settings.watch_min_pass_rate:.0%}"
        )
    if (
        rejected is not None
        and outcome.claims_total >= sample
        and rejected > settings.watch_max_rejected_claim_rate
    ):
        reasons.append(
            f"rejected claims {rejected:.0%} above {settings.watch_max_rejected_claim_rate:.0%}"
        )
    serious = [i for i in inspections if i.severity in ("major", "critical")]
    if (
        any(i.severity == "critical" for i in serious)
        or len(serious) > settings.watch_max_major_findings
    ):
        reasons.append(f"{len(serious)} serious inspection finding(s) in the last year")
    return {
        "score": score,
        "completion_rate": completion,
        "pass_rate": passing,
        "rejected_claim_rate": rejected,
        "inspection_penalty": penalty,
        "on_watch": bool(reasons),
        "watch_reasons": reasons,
    }


async def rate_all(
    session: AsyncSession, principal: Principal, body: RatingRun, settings: Settings
) -> RatingList:
    """Compute and publish the rating of every institution from the outcomes given."""
    require_role(principal, "government", "admin")
    if not principal.city_wide:
        raise Forbidden("only a city-wide officer publishes the ratings")
    by_id = {o.institution_id: o for o in body.outcomes}
    since = shanghai_today() - dt.timedelta(days=365)
    inspections: dict[int, list[Inspection]] = {}
    for found in await repository.list_inspections(session, None, since):
        inspections.setdefault(found.institution_id, []).append(found)
    now = utcnow()
    rated = []
    for institution in await repository.all_institutions(session):
        assert institution.id is not None
        outcome = by_id.get(institution.id) or Outcome(
            institution_id=institution.id,
            orders_accepted=0,
            orders_completed=0,
            orders_certified=0,
            orders_failed=0,
            orders_dropped=0,
            claims_total=0,
            claims_rejected=0,
        )
        result = compute(outcome, inspections.get(institution.id, []), settings)
        row = InstitutionRating(
            institution_id=institution.id,
            outcomes=outcome.model_dump(exclude={"institution_id"}),
            computed_by=principal.id,
            computed_at=now,
            **result,
        )
        session.add(row)
        changed = (institution.rating, institution.on_watch) != (
            result["score"],
            result["on_watch"],
        )
        institution.rating = result["score"]
        institution.rated_at = now
        institution.on_watch = result["on_watch"]
        if changed:
            record(
                session,
                institution,
                "rated",
                principal,
                details={"score": result["score"], "watch_reasons": result["watch_reasons"]},
                at=now,
            )
        rated.append(row)
    await session.commit()
    items = [RatingPublic.model_validate(r) for r in rated]
    return RatingList(items=items, total=len(items))


async def ratings_of(
    session: AsyncSession, principal: Principal, institution_id: int
) -> RatingList:
    """An institution's rating history (government)."""
    institution = await load(session, institution_id)
    if not (principal.role == "institution" and principal.institution_id == institution_id):
        check_officer(principal, institution.unit_code)
    items = [
        RatingPublic.model_validate(r) for r in await repository.ratings_of(session, institution_id)
    ]
    return RatingList(items=items, total=len(items))


async def watch_list(session: AsyncSession, principal: Principal) -> list[WatchEntry]:
    """Institutions proposed for a closer look, with why (a county officer sees its unit's)."""
    require_role(principal, "government", "admin")
    rows = await repository.watched(session, principal.unit_code)
    latest = await repository.latest_ratings(session, [r.id for r in rows if r.id is not None])
    return [
        WatchEntry(
            institution_id=r.id,
            name=r.name,
            unit_code=r.unit_code,
            status=r.status,
            rating=RatingPublic.model_validate(latest[r.id]),
        )
        for r in rows
        if r.id is not None and r.id in latest
    ]
