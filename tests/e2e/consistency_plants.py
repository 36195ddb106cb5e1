"""Inconsistencies planted on purpose in the databases of a finished flow (see
tests/e2e/faulty_flow.py), each with the findings scripts.consistency must report."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from gateway.accounts.models import Account
from plumbing.clock import utcnow
from services.enrolment.claims.models import Claim
from services.enrolment.demand.models import TrainingRequest
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import Order
from services.enrolment.workers.models import WorkerProfile
from services.evaluation.certificate.models import Certificate
from services.evaluation.entitlement.models import Entitlement
from services.evaluation.session.models import Candidate
from services.institutions.institution.models import InstitutionApproval, InstitutionEvent
from services.institutions.supervision.models import ClassPlan
from tests.e2e.faulty_flow import Flow


@dataclass
class Plant:
    """One inconsistency planted in one database: the rows `where` selects get `values`
    (a function of each row's current values); the check must name exactly `codes`."""

    codes: set[str]
    database: str
    model: type[SQLModel]
    where: Callable[[Flow], dict[str, Any]]
    values: Callable[[Flow, dict[str, Any]], dict[str, Any]]


def plants() -> list[Plant]:
    """One plant per check the tool has (but evaluation_not_applied, which the faulty
    evaluation step leaves, and result_unknown_order: results cannot be changed)."""

    def at(**v: Any) -> Callable[[Flow, dict[str, Any]], dict[str, Any]]:
        return lambda _f, _row: v

    order = lambda f: {"id": f.ids["order"]}  # noqa: E731
    failed = lambda f: {"id": f.ids["failed_order"]}  # noqa: E731
    of_order = lambda f: {"order_id": f.ids["order"]}  # noqa: E731
    plan = lambda f: {"offering_id": f.ids["offering"]}  # noqa: E731
    offering = lambda f: {"id": f.ids["offering"]}  # noqa: E731
    far = 999_999
    return [
        Plant(
            {"unknown_institution"},
            "gateway",
            Account,
            lambda f: {"id": f.ids["clerk_id"]},
            at(institution_id=far),
        ),
        Plant(
            {"unknown_evaluation_body"},
            "gateway",
            Account,
            lambda f: {"id": f.ids["evaluator_id"]},
            at(evaluation_body_id=far),
        ),
        Plant(
            {"unknown_worker"},
            "enrolment",
            WorkerProfile,
            lambda f: {"worker_id": f.ids["worker_id"]},
            at(worker_id=far),
        ),
        Plant(
            {"unknown_unit"},
            "enrolment",
            TrainingRequest,
            lambda f: {"id": f.ids["request"]},
            at(unit_code="nowhere"),
        ),
        Plant(
            {"offering_not_approved"},
            "institutions",
            InstitutionApproval,
            lambda f: {"institution_id": f.ids["institution"]},
            at(level=4),
        ),
        Plant(
            {"listed_while_inactive", "accepted_while_inactive"},
            "institutions",
            InstitutionEvent,
            lambda f: {"institution_id": f.ids["institution"], "action": "register"},
            at(to_status="suspended"),
        ),
        Plant(
            {"unknown_catalogue_item"}, "enrolment", Offering, offering, at(catalogue_item_id=far)
        ),
        Plant(
            {"seats_mismatch"},
            "enrolment",
            Offering,
            offering,
            lambda _f, row: {"seats_taken": row["seats_taken"] + 1},
        ),
        Plant(
            {"class_plan_unknown_offering", "attendance_without_approved_plan"},
            "institutions",
            ClassPlan,
            plan,
            at(offering_id=far),
        ),
        Plant(
            {"class_plan_wrong_institution"},
            "institutions",
            ClassPlan,
            plan,
            lambda f, _row: {"institution_id": f.ids["other_institution"]},
        ),
        Plant(
            {"class_plan_roster_mismatch"},
            "institutions",
            ClassPlan,
            plan,
            at(roster=[{"order_id": far, "worker_id": 1, "worker_name_masked": "王*"}]),
        ),
        Plant(
            {"attendance_without_approved_plan"},
            "institutions",
            ClassPlan,
            plan,
            at(status="submitted"),
        ),
        Plant({"result_mismatch"}, "enrolment", Order, failed, at(level=4)),
        Plant({"order_result_unknown"}, "enrolment", Order, order, at(result_id=far)),
        Plant(
            {"order_status_contradicts_result"}, "enrolment", Order, failed, at(status="certified")
        ),
        Plant(
            {"certificate_mismatch", "claim_without_valid_certificate"},
            "enrolment",
            Order,
            order,
            at(certificate_number="JN-NOT-ISSUED"),
        ),
        Plant(
            {"certificate_unknown_order"}, "evaluation", Certificate, of_order, at(worker_id=far)
        ),
        Plant({"candidate_unknown_order"}, "evaluation", Candidate, of_order, at(worker_id=far)),
        Plant(
            {
                "candidate_order_not_completed",
                "order_status_contradicts_result",
                "entitlement_order_not_certified",
            },
            "enrolment",
            Order,
            order,
            at(status="in_training"),
        ),
        Plant(
            {"entitlement_without_pass"},
            "evaluation",
            Entitlement,
            of_order,
            lambda f, _row: {"result_id": f.ids["failed_result"]},
        ),
        Plant(
            {"entitlement_order_not_certified", "claim_without_entitlement"},
            "evaluation",
            Entitlement,
            of_order,
            lambda f, _row: {"order_id": f.ids["failed_order"]},
        ),
        Plant(
            {"claim_on_cancelled_entitlement"},
            "evaluation",
            Entitlement,
            of_order,
            at(status="cancelled", cancelled_reason="演练"),
        ),
        Plant(
            {"claim_amount_mismatch"},
            "enrolment",
            Claim,
            lambda f: {"id": f.ids["evaluation_claim"]},
            lambda _f, row: {"amount_fen": row["amount_fen"] + 1},
        ),
        Plant(
            {"claim_without_valid_certificate"},
            "evaluation",
            Certificate,
            of_order,
            at(status="revoked", revoked_reason="演练", revoked_at=utcnow()),
        ),
    ]


@contextlib.asynccontextmanager
async def planted(engine: AsyncEngine, flow: Flow, plant: Plant) -> AsyncIterator[None]:
    """Apply the plant, and put every changed row back afterwards."""
    table = plant.model.__table__  # type: ignore[attr-defined]
    keys = [c.name for c in table.primary_key.columns]
    where = plant.where(flow)
    undo: list[tuple[dict[str, Any], dict[str, Any]]] = []
    try:
        async with engine.begin() as conn:
            rows = (await conn.execute(select(table).filter_by(**where))).mappings().all()
            assert rows, (plant.codes, where)
            for row in rows:
                new = plant.values(flow, dict(row))
                before = {k: row[k] for k in new}
                moved = {k: new.get(k, row[k]) for k in keys}
                undo.append((moved, before))
                await conn.execute(
                    update(table).filter_by(**{k: row[k] for k in keys}).values(**new)
                )
        yield
    finally:
        async with engine.begin() as conn:
            for moved, before in undo:
                await conn.execute(update(table).filter_by(**moved).values(**before))
