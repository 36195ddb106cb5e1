"""The floor: the selection step's SQL sent straight to PostgreSQL with asyncpg, no HTTP,
no framework, no ORM.

The statements below are the ones the services run for one selection (order 3) through the
gateway, copied verbatim from PostgreSQL's statement log (`log_statement = all`) of a
benchmark run, in the same order and in the same transactions, one connection pool per
database as the services have. They are prepared once per connection, as asyncpg does for
SQLAlchemy. Left out on purpose: the `BEGIN; ROLLBACK` that SQLAlchemy's `pool_pre_ping`
sends before every checkout (plumbing/db.py) — a cost of the services' configuration, not
SQL the step needs; it is reported in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.flow import ELDERLY_CARE, LEVEL, UNIT

# GET /v1/offerings/{id} on enrolment (gateway: flow/institutions.py offering_takes_orders).
OFFERING = (
    "SELECT offerings.id, offerings.institution_id, offerings.institution_name, "
    "offerings.occupation_code, offerings.occupation_name, offerings.level, "
    "offerings.unit_code, offerings.capacity, offerings.seats_taken, offerings.hours, "
    "offerings.starts_on, offerings.ends_on, offerings.subsidy_fen, "
    "offerings.catalogue_item_id, offerings.funding_source, offerings.training_type, "
    "offerings.programme, offerings.status, offerings.withdrawn_reason, offerings.listed_by, "
    "offerings.created_at FROM offerings WHERE offerings.id = $1::INTEGER"
)
# GET /v1/institutions/{id} on institutions: the row, then its approvals and designations
# (selectinload), in one read-only transaction.
INSTITUTION = (
    "SELECT institutions.id, institutions.name, institutions.credit_code, institutions.kind, "
    "institutions.unit_code, institutions.status, institutions.status_reason, "
    "institutions.suspended_until, institutions.address, institutions.contact_name, "
    "institutions.contact_phone, institutions.licence_number, institutions.licence_issued_on, "
    "institutions.licence_expires_on, institutions.yearly_capacity, institutions.rating, "
    "institutions.rated_at, institutions.on_watch, institutions.is_demo, "
    "institutions.created_at, institutions.updated_at FROM institutions "
    "WHERE institutions.id = $1::INTEGER"
)
APPROVALS = (
    "SELECT institution_approvals.id, institution_approvals.institution_id, "
    "institution_approvals.occupation_code, institution_approvals.level, "
    "institution_approvals.valid_from, institution_approvals.valid_until "
    "FROM institution_approvals WHERE institution_approvals.institution_id IN ($1::INTEGER) "
    "ORDER BY institution_approvals.id"
)
DESIGNATIONS = (
    "SELECT designations.id, designations.institution_id, designations.kind, "
    "designations.tier, designations.master_name, designations.occupation_code, "
    "designations.title, designations.awarded_on, designations.expires_on, "
    "designations.created_by, designations.created_at FROM designations "
    "WHERE designations.institution_id IN ($1::INTEGER) ORDER BY designations.id"
)
# GET /v1/certificates?worker_id&status=valid on evaluation (gateway: flow/certificates.py):
# the page's total, then the page.
_CERT_COLUMNS = (
    "certificates.id, certificates.number, certificates.result_id, certificates.order_id, "
    "certificates.candidate_id, certificates.worker_id, certificates.body_id, "
    "certificates.occupation_code, certificates.occupation_name, certificates.level, "
    "certificates.holder_name_masked, certificates.issued_on, certificates.status, "
    "certificates.revoked_reason, certificates.revoked_at"
)
_CERT_ALIASED = ", ".join(f"{c} AS {c.split('.')[1]}" for c in _CERT_COLUMNS.split(", "))
CERT_COUNT = (
    f"SELECT count(*) AS count_1 FROM (SELECT {_CERT_ALIASED}, evaluation_bodies.name AS name "
    "FROM certificates LEFT OUTER JOIN evaluation_bodies ON evaluation_bodies.id = "
    "certificates.body_id WHERE certificates.worker_id = $1::INTEGER AND "
    "certificates.status = $2::VARCHAR) AS anon_1"
)
CERT_PAGE = (
    f"SELECT {_CERT_COLUMNS}, evaluation_bodies.name FROM certificates LEFT OUTER JOIN "
    "evaluation_bodies ON evaluation_bodies.id = certificates.body_id WHERE "
    "certificates.worker_id = $1::INTEGER AND certificates.status = $2::VARCHAR "
    "ORDER BY certificates.id LIMIT $3::INTEGER OFFSET $4::INTEGER"
)
# POST /v1/orders on enrolment (services/enrolment/orders/selection.py select_offering):
# profile, offering, request, the eligibility facts (profile again, same occupation and
# level, this year's count), then seat, yearly slot, order, request fulfilled, event; one
# transaction.
PROFILE = (
    "SELECT worker_profiles.worker_id, worker_profiles.id_number_cipher, "
    "worker_profiles.id_number_hash, worker_profiles.id_number_masked, "
    "worker_profiles.name_cipher, worker_profiles.phone_cipher, worker_profiles.phone_masked, "
    "worker_profiles.phone_hash, worker_profiles.unit_code, worker_profiles.target_group, "
    "worker_profiles.receives_pension, worker_profiles.birth_on, worker_profiles.sex, "
    "worker_profiles.employer_credit_code, worker_profiles.unemployment_insurance_months, "
    "worker_profiles.discharged_on, worker_profiles.registered_poor, "
    "worker_profiles.created_at, worker_profiles.updated_at FROM worker_profiles "
    "WHERE worker_profiles.worker_id = $1::INTEGER"
)
REQUEST = (
    "SELECT training_requests.id, training_requests.worker_id, "
    "training_requests.occupation_code, training_requests.level, training_requests.unit_code, "
    "training_requests.status, training_requests.matched_offering_id, "
    "training_requests.order_id, training_requests.created_at, training_requests.updated_at "
    "FROM training_requests WHERE training_requests.id = $1::INTEGER AND "
    "training_requests.worker_id = $2::INTEGER"
)
SAME_TRADE = (
    "SELECT count(*) AS count_1 FROM orders WHERE orders.worker_id = $1::INTEGER AND "
    "orders.occupation_code = $2::VARCHAR AND orders.level = $3::INTEGER AND "
    "(orders.status NOT IN ($4::VARCHAR, $5::VARCHAR, $6::VARCHAR, $7::VARCHAR))"
)
YEAR_COUNT = (
    "SELECT worker_year_counts.count FROM worker_year_counts WHERE "
    "worker_year_counts.worker_id = $1::INTEGER AND worker_year_counts.year = $2::INTEGER"
)
TAKE_SEAT = (
    "UPDATE offerings SET seats_taken=(offerings.seats_taken + $1::INTEGER) WHERE "
    "offerings.id = $2::INTEGER AND offerings.status = $3::VARCHAR AND "
    "offerings.seats_taken < offerings.capacity"
)
TAKE_SLOT = (
    "INSERT INTO worker_year_counts (worker_id, year, count) VALUES ($1::INTEGER, "
    "$2::INTEGER, $3::INTEGER) ON CONFLICT (worker_id, year) DO UPDATE SET count = "
    "(worker_year_counts.count + $4::INTEGER) WHERE worker_year_counts.count < $5::INTEGER"
)
INSERT_ORDER = (
    "INSERT INTO orders (worker_id, worker_name_masked, offering_id, request_id, "
    "institution_id, institution_name, occupation_code, occupation_name, level, unit_code, "
    "hours, attended_hours, subsidy_fen, subsidy_year, funding_source, status, "
    "certificate_number, result_id, reason, rule_version, decision_facts, delivery, "
    "delivery_reason, delivery_at, created_at, updated_at) VALUES ($1::INTEGER, $2::VARCHAR, "
    "$3::INTEGER, $4::INTEGER, $5::INTEGER, $6::VARCHAR, $7::VARCHAR, $8::VARCHAR, "
    "$9::INTEGER, $10::VARCHAR, $11::INTEGER, $12::FLOAT, $13::BIGINT, $14::INTEGER, "
    "$15::VARCHAR, $16::VARCHAR, $17::VARCHAR, $18::INTEGER, $19::VARCHAR, $20::VARCHAR, "
    "$21::JSON, $22::VARCHAR, $23::VARCHAR, $24::TIMESTAMP WITH TIME ZONE, "
    "$25::TIMESTAMP WITH TIME ZONE, $26::TIMESTAMP WITH TIME ZONE) RETURNING orders.id"
)
FULFIL = (
    "UPDATE training_requests SET status=$1::VARCHAR, order_id=$2::INTEGER, "
    "updated_at=$3::TIMESTAMP WITH TIME ZONE WHERE training_requests.worker_id = $4::INTEGER "
    "AND training_requests.occupation_code = $5::VARCHAR AND training_requests.level = "
    "$6::INTEGER AND training_requests.status IN ($7::VARCHAR, $8::VARCHAR)"
)
ORDER_EVENT = (
    "INSERT INTO order_events (order_id, action, from_status, to_status, actor_id, "
    "actor_role, reason, at) VALUES ($1::INTEGER, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, "
    "$5::INTEGER, $6::VARCHAR, $7::VARCHAR, $8::TIMESTAMP WITH TIME ZONE) "
    "RETURNING order_events.id"
)
SELECTION_STATEMENTS = 17
RULE_VERSION = "2019-49.2"  # as captured; the floor stores the same value


@dataclass
class FloorPools:
    institutions: asyncpg.Pool
    enrolment: asyncpg.Pool
    evaluation: asyncpg.Pool

    @classmethod
    async def open(cls, dsns: dict[str, str], size: int) -> FloorPools:
        async def pool(name: str) -> asyncpg.Pool:
            made = await asyncpg.create_pool(dsns[name], min_size=1, max_size=size)
            assert made is not None
            return made

        return cls(await pool("institutions"), await pool("enrolment"), await pool("evaluation"))

    async def close(self) -> None:
        for p in (self.institutions, self.enrolment, self.evaluation):
            await p.close()


def _facts(today: dt.date, year: int) -> str:
    return json.dumps(
        {
            "today": today.isoformat(),
            "has_profile": True,
            "age": 41,
            "receives_pension": False,
            "group": "unemployed",
            "unemployment_insurance_months": 0,
            "registered_poor": False,
            "discharged_on": None,
            "year": year,
            "held_this_year": 0,
            "occupation_code": ELDERLY_CARE,
            "level": LEVEL,
            "holds_occupation_level": False,
            "certificates": [],
            "programme": None,
        }
    )


async def select(pools: FloorPools, worker_id: int, offering_id: int, request_id: int) -> int:
    """Order 3 as the services' SQL: four read transactions and one write; the order id."""
    async with pools.enrolment.acquire() as conn, conn.transaction():
        offering = await conn.fetchrow(OFFERING, offering_id)
    assert offering is not None
    async with pools.institutions.acquire() as conn, conn.transaction():
        await conn.fetchrow(INSTITUTION, offering["institution_id"])
        await conn.fetch(APPROVALS, offering["institution_id"])
        await conn.fetch(DESIGNATIONS, offering["institution_id"])
    async with pools.evaluation.acquire() as conn, conn.transaction():
        await conn.fetchval(CERT_COUNT, worker_id, "valid")
        await conn.fetch(CERT_PAGE, worker_id, "valid", 200, 0)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    async with pools.enrolment.acquire() as conn, conn.transaction():
        await conn.fetchrow(PROFILE, worker_id)
        row = await conn.fetchrow(OFFERING, offering_id)
        assert row is not None
        await conn.fetchrow(REQUEST, request_id, worker_id)
        await conn.fetchrow(PROFILE, worker_id)
        await conn.fetchval(
            SAME_TRADE, worker_id, ELDERLY_CARE, LEVEL, "cancelled", "rejected", "failed", "expired"
        )
        await conn.fetchval(YEAR_COUNT, worker_id, today.year)
        if await conn.execute(TAKE_SEAT, 1, offering_id, "listed") != "UPDATE 1":
            raise RuntimeError(f"offering {offering_id} is full")
        await conn.execute(TAKE_SLOT, worker_id, today.year, 1, 1, 3)
        order_id: int = await conn.fetchval(
            INSERT_ORDER,
            *_order_values(worker_id, row, request_id, now, _facts(today, today.year)),
        )
        await conn.execute(
            FULFIL, "fulfilled", order_id, now, worker_id, ELDERLY_CARE, LEVEL, "open", "matched"
        )
        await conn.fetchval(
            ORDER_EVENT, order_id, "select", None, "selected", worker_id, "worker", None, now
        )
    return order_id


def _order_values(
    worker_id: int, offering: Any, request_id: int, now: dt.datetime, facts: str
) -> tuple[Any, ...]:
    return (
        worker_id,
        "王**",
        offering["id"],
        request_id,
        offering["institution_id"],
        offering["institution_name"],
        offering["occupation_code"],
        offering["occupation_name"],
        offering["level"],
        UNIT,
        offering["hours"],
        0.0,
        offering["subsidy_fen"],
        now.year,
        offering["funding_source"],
        "selected",
        None,
        None,
        None,
        RULE_VERSION,
        facts,
        None,
        None,
        None,
        now,
        now,
    )
