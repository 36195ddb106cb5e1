"""What enrolment and the gateway hold about institutions' data: institutions and their
approvals and status, units, catalogue items, class plans; and enrolment's own seat counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from scripts.consistency.snapshot import Findings, Snapshot, utc
from services.enrolment.orders.rules import SEAT_FREEING


class StatusHistory:
    """Each institution's status over time, from its events (register, suspend, ...)."""

    def __init__(self, s: Snapshot) -> None:
        self._changes: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for event in sorted(s.institution_events, key=lambda e: (utc(e.at), e.id or 0)):
            self._changes[event.institution_id].append((utc(event.at), event.to_status))

    def active_at(self, institution_id: int, at: dt.datetime) -> bool:
        status = "active"
        for when, to in self._changes[institution_id]:
            if when > utc(at):
                break
            status = to
        return status == "active"


def accounts_and_units(s: Snapshot, out: Findings) -> None:
    """Gateway accounts name institutions, bodies; worker profiles name accounts; every unit
    code enrolment records (and the reports count by) is one of institutions' units."""
    institutions = {i.id for i in s.institutions}
    bodies = {b.id for b in s.bodies}
    workers = {a.id for a in s.accounts if a.role == "worker"}
    for account in s.accounts:
        if account.institution_id is not None and account.institution_id not in institutions:
            out.add(
                "unknown_institution",
                f"account {account.id} belongs to institution {account.institution_id}, "
                "which institutions does not hold",
                account_id=account.id,
                institution_id=account.institution_id,
            )
        if account.evaluation_body_id is not None and account.evaluation_body_id not in bodies:
            out.add(
                "unknown_evaluation_body",
                f"account {account.id} evaluates for body {account.evaluation_body_id}, "
                "which evaluation does not hold",
                account_id=account.id,
                body_id=account.evaluation_body_id,
            )
    for profile in s.profiles:
        if profile.worker_id not in workers:
            out.add(
                "unknown_worker",
                f"worker profile {profile.worker_id} has no worker account in the gateway",
                worker_id=profile.worker_id,
            )
    for order in s.orders:
        if order.worker_id not in workers:
            out.add(
                "unknown_worker",
                f"order {order.id} belongs to worker {order.worker_id}, who has no worker "
                "account in the gateway",
                order_id=order.id,
                worker_id=order.worker_id,
            )
    units = {u.code for u in s.units}
    users: Iterable[tuple[str, Any, str]] = [
        *(("worker_profiles", p.worker_id, p.unit_code) for p in s.profiles),
        *(("training_requests", r.id, r.unit_code) for r in s.requests),
        *(("offerings", o.id, o.unit_code) for o in s.offerings),
        *(("orders", o.id, o.unit_code) for o in s.orders),
        *(("claims", c.id, c.unit_code) for c in s.claims),
        *(("class_plans", p.offering_id, p.unit_code) for p in s.class_plans),
    ]
    for table, row_id, code in users:
        if code not in units:
            out.add(
                "unknown_unit",
                f"{table} {row_id} names unit {code!r}, which institutions does not hold",
                table=table,
                id=row_id,
                unit_code=code,
            )


def offerings_and_orders(s: Snapshot, out: Findings) -> None:
    """Offerings and orders vs the institution (held, approved for the trade, active when
    listing and accepting) and the catalogue item the subsidy came from; seats vs orders."""
    institutions = {i.id for i in s.institutions}
    approvals = {(a.institution_id, a.occupation_code, a.level) for a in s.approvals}
    items = {i.id: i for i in s.catalogue_items}
    history = StatusHistory(s)
    for offering in s.offerings:
        refs = {"offering_id": offering.id, "institution_id": offering.institution_id}
        if offering.institution_id not in institutions:
            out.add(
                "unknown_institution",
                f"offering {offering.id} names institution {offering.institution_id}, which "
                "institutions does not hold",
                **refs,
            )
            continue
        if (offering.institution_id, offering.occupation_code, offering.level) not in approvals:
            out.add(
                "offering_not_approved",
                f"offering {offering.id} trains {offering.occupation_code} level "
                f"{offering.level}, for which institution {offering.institution_id} holds no "
                "approval",
                **refs,
            )
        if not history.active_at(offering.institution_id, offering.created_at):
            out.add(
                "listed_while_inactive",
                f"offering {offering.id} was listed while institution "
                f"{offering.institution_id} was not active",
                **refs,
            )
        item = items.get(offering.catalogue_item_id)
        if item is None or (item.occupation_code, item.level) != (
            offering.occupation_code,
            offering.level,
        ):
            out.add(
                "unknown_catalogue_item",
                f"offering {offering.id} rests on catalogue item {offering.catalogue_item_id}, "
                f"which institutions does not hold for {offering.occupation_code} level "
                f"{offering.level}",
                offering_id=offering.id,
                catalogue_item_id=offering.catalogue_item_id,
            )
    orders = {o.id: o for o in s.orders}
    for order in s.orders:
        if order.institution_id not in institutions:
            out.add(
                "unknown_institution",
                f"order {order.id} names institution {order.institution_id}, which "
                "institutions does not hold",
                order_id=order.id,
                institution_id=order.institution_id,
            )
    for event in s.order_events:
        accepted = orders.get(event.order_id)
        if event.to_status != "accepted" or accepted is None:
            continue
        if accepted.institution_id in institutions and not history.active_at(
            accepted.institution_id, event.at
        ):
            out.add(
                "accepted_while_inactive",
                f"order {accepted.id} was accepted while institution "
                f"{accepted.institution_id} was not active",
                order_id=accepted.id,
                institution_id=accepted.institution_id,
            )
    # Within enrolment: an offering's seat count is its seat-holding orders.
    holding = Counter(o.offering_id for o in s.orders if o.status not in SEAT_FREEING)
    for offering in s.offerings:
        held = holding[offering.id or 0]
        if offering.seats_taken != held:
            out.add(
                "seats_mismatch",
                f"offering {offering.id} counts {offering.seats_taken} seats taken, but "
                f"{held} of its orders hold one",
                offering_id=offering.id,
                seats_taken=offering.seats_taken,
                holding=held,
            )


def class_plans(s: Snapshot, out: Findings) -> None:
    """Class plans (institutions) vs offerings and orders (enrolment); attendance (enrolment)
    only under an approved plan."""
    offerings = {o.id: o for o in s.offerings}
    orders = {o.id: o for o in s.orders}
    plans = {p.offering_id: p for p in s.class_plans}
    for plan in s.class_plans:
        offering = offerings.get(plan.offering_id)
        if offering is None:
            out.add(
                "class_plan_unknown_offering",
                f"a class plan names offering {plan.offering_id}, which enrolment does not hold",
                offering_id=plan.offering_id,
            )
            continue
        if offering.institution_id != plan.institution_id:
            out.add(
                "class_plan_wrong_institution",
                f"the class plan of offering {plan.offering_id} was filed for institution "
                f"{plan.institution_id}; the offering is institution "
                f"{offering.institution_id}'s",
                offering_id=plan.offering_id,
                institution_id=plan.institution_id,
            )
        for entry in plan.roster:
            listed = orders.get(entry.get("order_id"))
            if listed is None or listed.offering_id != plan.offering_id:
                out.add(
                    "class_plan_roster_mismatch",
                    f"the class plan of offering {plan.offering_id} lists order "
                    f"{entry.get('order_id')}, which is not an order of that offering",
                    offering_id=plan.offering_id,
                    order_id=entry.get("order_id"),
                )
    unplanned: set[int] = set()
    for record in s.attendance:
        attended = orders.get(record.order_id)
        if attended is None or attended.id is None:
            continue
        filed = plans.get(attended.offering_id)
        approved_at = utc(filed.decided_at) if filed and filed.decided_at else None
        if (
            filed is None
            or filed.status != "approved"
            or approved_at is None
            or utc(record.created_at) < approved_at
        ):
            unplanned.add(attended.id)
    for order_id in sorted(unplanned):
        out.add(
            "attendance_without_approved_plan",
            f"order {order_id} has attendance recorded without an approved class plan",
            order_id=order_id,
        )
