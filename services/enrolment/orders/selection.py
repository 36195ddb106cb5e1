"""Order 3 (劳动者选单): a worker takes a seat. Every limit is enforced by the database in
the one transaction that creates the order, so concurrent selections cannot overshoot."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.crypto import PersonalDataCipher
from plumbing.errors import DomainError, InvalidState, NotFound
from plumbing.ids import mask_name
from plumbing.principal import Principal, require_role
from services.enrolment.demand import repository as demand
from services.enrolment.demand.models import LIVE_REQUEST, TrainingRequest
from services.enrolment.eligibility.rules import RULE_VERSION, YEARLY_CAP, Reason, evaluate
from services.enrolment.eligibility.service import gather_facts, reasons_public
from services.enrolment.offerings import repository as offerings
from services.enrolment.orders import repository
from services.enrolment.orders.schemas import OrderCreate, OrderPublic
from services.enrolment.orders.service import to_public
from services.enrolment.workers import repository as workers

# Eligibility reasons that have their own error code; the rest are `not_eligible`.
_OWN_CODES = ("profile_required", "yearly_cap_reached", "occupation_level_already_subsidised")


def refusal(reasons: list[Reason], english: bool, **extra: Any) -> DomainError:
    """The first reason decides the code; every reason travels with the problem."""
    first = reasons[0]
    code = first.code if first.code in _OWN_CODES else "not_eligible"
    return DomainError(
        code,
        first.sentence(english),
        reasons=[r.model_dump() for r in reasons_public(reasons, english)],
        rule_version=RULE_VERSION,
        **extra,
    )


async def select_offering(
    session: AsyncSession,
    cipher: PersonalDataCipher,
    principal: Principal,
    body: OrderCreate,
    english: bool = False,
) -> OrderPublic:
    """Create a `selected` order: a seat, a yearly slot and the occupation+level, or nothing.
    The decision's rule version and facts are stored with the order."""
    require_role(principal, "worker")
    profile = await workers.get_profile(session, principal.id)
    if profile is None:
        raise refusal([Reason("profile_required")], english)
    offering = await offerings.get_offering(session, body.offering_id)
    if offering is None:
        raise NotFound("offering", body.offering_id)
    assert offering.id is not None
    if body.request_id is not None:
        own = [col(TrainingRequest.worker_id) == principal.id]
        request = await demand.get_request(session, body.request_id, own)
        if request is None:
            raise NotFound("request", body.request_id)
        if (request.occupation_code, request.level) != (offering.occupation_code, offering.level):
            raise DomainError("validation_failed", "the request is for another occupation or level")
        if request.status not in LIVE_REQUEST:
            raise InvalidState(request.status, "select an offering for this request")

    now = utcnow()
    facts = await gather_facts(
        session,
        principal.id,
        occupation_code=offering.occupation_code,
        level=offering.level,
        certificates=body.held_certificates,
        programme=offering.programme,
        now=now,
        profile=profile,
    )
    reasons = evaluate(facts)
    if reasons:
        raise refusal(reasons, english, subsidy_year=facts.year)
    year = facts.year
    assert year is not None
    # PLAN §二.(二).11: at most 3 a year (the counter's conditional upsert and CHECK) — the
    # facts above may be stale under concurrent selections; this is the real check.
    if not await repository.take_year_slot(session, principal.id, year):
        await session.rollback()
        held = replace(facts, held_this_year=YEARLY_CAP)
        raise refusal(evaluate(held), english, subsidy_year=year)
    fields = {
        "worker_id": principal.id,
        "worker_name_masked": mask_name(cipher.decrypt(profile.name_cipher)),
        "offering_id": offering.id,
        "request_id": body.request_id,
        "institution_id": offering.institution_id,
        "institution_name": offering.institution_name,
        "occupation_code": offering.occupation_code,
        "occupation_name": offering.occupation_name,
        "level": offering.level,
        "unit_code": offering.unit_code,
        "hours": offering.hours,
        "attended_hours": 0.0,
        "subsidy_fen": offering.subsidy_fen,
        "subsidy_year": year,
        "funding_source": offering.funding_source,
        "status": "selected",
        "rule_version": RULE_VERSION,
        "decision_facts": facts.to_json(),
        "created_at": now,
        "updated_at": now,
    }
    try:
        order = await repository.insert_order(session, fields)
    except IntegrityError:
        # PLAN §二.(二).11: never twice for the same occupation and level (partial unique
        # index); the seat and the slot taken above roll back with it.
        await session.rollback()
        raise refusal([Reason("occupation_level_already_subsidised")], english) from None
    assert order.id is not None
    # Order 1 meets order 3: the worker's live requests for this occupation and level are
    # fulfilled by this order.
    await demand.fulfil_requests(
        session, principal.id, offering.occupation_code, offering.level, order.id
    )
    # DESIGN "Rules": never more seat-holding orders than capacity (conditional UPDATE).
    # Taken last but for the event: the offering's row is the one every selection of this
    # offering waits for, so it stays locked only from here to the commit.
    if not await repository.take_seat(session, offering.id):
        offering_id = offering.id
        current = await offerings.get_offering(session, offering_id)
        status = current.status if current is not None else "listed"
        await session.rollback()  # expires every loaded row: read what is needed first
        if status != "listed":
            raise InvalidState(status, "select this offering")
        raise DomainError("offering_full", f"offering {body.offering_id} has no seats left")
    # The event, and the unit report's count of it, after the seat: the count's rows are
    # shared by the unit's selections of a group or trade that day and month, so they are
    # locked last (offering, then counts, in every selection: no deadlock), and a refused
    # selection never waits for them. `at` is the order's creation time: the report
    # counts the selections of a day by it.
    await repository.add_event(
        session, order.id, None, "selected", principal, action="select", at=now
    )
    await session.commit()
    return to_public(order)
