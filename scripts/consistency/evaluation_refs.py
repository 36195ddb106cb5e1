"""What evaluation and enrolment hold about each other: results, certificates, candidates
and entitlements vs orders; evaluation-subsidy and training claims vs entitlements and
certificates."""

from __future__ import annotations

from collections import defaultdict

from scripts.consistency.snapshot import Findings, Snapshot
from services.evaluation.entitlement.models import Entitlement
from services.evaluation.result.models import Result

# Order states once an evaluation result has been applied: a pass, or the failure.
PASSED = ("certified", "claimed", "paid")
EVALUATED = (*PASSED, "failed")
# An order is registered for evaluation once completed, and stays in one of these after.
REGISTRABLE = ("completed", *EVALUATED)
# Claims that no longer rest on anything (refused, or reversed).
DEAD_CLAIMS = ("rejected", "clawed_back")


def results_and_orders(s: Snapshot, out: Findings) -> None:
    """A result is for an order enrolment holds (same worker and trade); an order with a
    result has taken it (certified after a pass, failed after a fail, with the result's
    certificate); an evaluated order names a result evaluation holds."""
    orders = {o.id: o for o in s.orders}
    results = {r.id: r for r in s.results}
    certificate_of_result = {c.result_id: c for c in s.certificates}
    published: dict[int, Result] = {}
    for result in sorted(s.results, key=lambda r: r.revision):
        if result.order_id is None:
            continue
        published.setdefault(result.order_id, result)
        subject = orders.get(result.order_id)
        if subject is None:
            out.add(
                "result_unknown_order",
                f"result {result.id} is for order {result.order_id}, which enrolment does not hold",
                result_id=result.id,
                order_id=result.order_id,
            )
        elif (result.worker_id, result.occupation_code, result.level) != (
            subject.worker_id,
            subject.occupation_code,
            subject.level,
        ):
            out.add(
                "result_mismatch",
                f"result {result.id} names another worker or trade than order {subject.id}",
                result_id=result.id,
                order_id=subject.id,
            )
    for order_id, result in published.items():
        waiting = orders.get(order_id)
        if waiting is not None and waiting.result_id is None:
            out.add(
                "evaluation_not_applied",
                f"evaluation holds result {result.id} of order {order_id}, but the order is "
                f"still {waiting.status}: repeat the evaluation call",
                order_id=order_id,
                result_id=result.id,
            )
    for order in s.orders:
        if order.result_id is None:
            if order.status in EVALUATED:
                out.add(
                    "order_result_unknown",
                    f"order {order.id} is {order.status} without naming its result",
                    order_id=order.id,
                )
            continue
        taken = results.get(order.result_id)
        if taken is None or taken.order_id != order.id:
            out.add(
                "order_result_unknown",
                f"order {order.id} rests on result {order.result_id}, which evaluation does "
                "not hold for it",
                order_id=order.id,
                result_id=order.result_id,
            )
            continue
        if order.status not in (PASSED if taken.passed else ("failed",)):
            out.add(
                "order_status_contradicts_result",
                f"order {order.id} is {order.status}, but its result {taken.id} "
                + ("passed" if taken.passed else "failed"),
                order_id=order.id,
                result_id=taken.id,
                status=order.status,
            )
        issued = certificate_of_result.get(taken.id or 0)
        number = issued.number if issued else None
        if number != order.certificate_number:
            out.add(
                "certificate_mismatch",
                f"order {order.id} names certificate {order.certificate_number}; its result "
                f"{taken.id} carries {number}",
                order_id=order.id,
                result_id=taken.id,
            )


def certificates_candidates_entitlements(s: Snapshot, out: Findings) -> None:
    """Certificates and candidates are of orders enrolment holds (a candidate's order is
    completed or later); an entitlement rests on a pass, and an open one on a certified
    order."""
    orders = {o.id: o for o in s.orders}
    results = {r.id: r for r in s.results}
    for certificate in s.certificates:
        if certificate.order_id is None:
            continue
        holder = orders.get(certificate.order_id)
        if holder is None or holder.worker_id != certificate.worker_id:
            out.add(
                "certificate_unknown_order",
                f"certificate {certificate.number} is for order {certificate.order_id} of "
                f"worker {certificate.worker_id}, which enrolment does not hold",
                certificate=certificate.number,
                order_id=certificate.order_id,
            )
    for candidate in s.candidates:
        if candidate.order_id is None:
            continue
        registered = orders.get(candidate.order_id)
        if registered is None or registered.worker_id != candidate.worker_id:
            out.add(
                "candidate_unknown_order",
                f"candidate {candidate.id} is registered with order {candidate.order_id}, "
                "which enrolment does not hold for that worker",
                candidate_id=candidate.id,
                order_id=candidate.order_id,
            )
        elif registered.status not in REGISTRABLE:
            out.add(
                "candidate_order_not_completed",
                f"candidate {candidate.id} is registered with order {registered.id}, which "
                f"is {registered.status}",
                candidate_id=candidate.id,
                order_id=registered.id,
                status=registered.status,
            )
    for entitlement in s.entitlements:
        source = results.get(entitlement.result_id)
        if source is None or not source.passed:
            out.add(
                "entitlement_without_pass",
                f"entitlement {entitlement.id} rests on result {entitlement.result_id}, "
                "which is not a pass",
                entitlement_id=entitlement.id,
                result_id=entitlement.result_id,
            )
        if entitlement.order_id is None or entitlement.status != "open":
            continue
        entitled = orders.get(entitlement.order_id)
        if entitled is not None and entitled.result_id is None and entitled.status == "completed":
            continue  # the evaluation step is half done: reported as evaluation_not_applied
        if entitled is None or entitled.status not in PASSED:
            out.add(
                "entitlement_order_not_certified",
                f"open entitlement {entitlement.id} is for order {entitlement.order_id}, "
                "which is " + (entitled.status if entitled else "unknown to enrolment"),
                entitlement_id=entitlement.id,
                order_id=entitlement.order_id,
            )


def claims(s: Snapshot, out: Findings) -> None:
    """A live evaluation-subsidy claim rests on the order's open entitlement, for its
    amount; a live training claim on the order's valid certificate."""
    orders = {o.id: o for o in s.orders}
    certificates = {c.number: c for c in s.certificates}
    entitlements: dict[int, list[Entitlement]] = defaultdict(list)
    for entitlement in s.entitlements:
        if entitlement.order_id is not None:
            entitlements[entitlement.order_id].append(entitlement)
    for claim in s.claims:
        refs = {"claim_id": claim.id, "order_id": claim.order_id}
        if claim.status in DEAD_CLAIMS:
            continue
        if claim.kind == "evaluation":
            held = entitlements.get(claim.order_id, [])
            live = [e for e in held if e.status == "open"]
            if not held:
                out.add(
                    "claim_without_entitlement",
                    f"evaluation-subsidy claim {claim.id} of order {claim.order_id} rests on no "
                    "entitlement",
                    **refs,
                )
            elif not live:
                out.add(
                    "claim_on_cancelled_entitlement",
                    f"evaluation-subsidy claim {claim.id} is {claim.status}, but the "
                    f"entitlement of order {claim.order_id} was cancelled",
                    **refs,
                )
            elif live[0].amount_fen != claim.amount_fen:
                out.add(
                    "claim_amount_mismatch",
                    f"evaluation-subsidy claim {claim.id} is for {claim.amount_fen} fen, the "
                    f"entitlement for {live[0].amount_fen}",
                    **refs,
                )
        elif claim.kind == "training":
            claimed = orders.get(claim.order_id)
            number = claimed.certificate_number if claimed else None
            certificate = certificates.get(number) if number else None
            if certificate is None or certificate.status != "valid":
                out.add(
                    "claim_without_valid_certificate",
                    f"training claim {claim.id} is {claim.status}, but order "
                    f"{claim.order_id}'s certificate {number} is "
                    + (certificate.status if certificate else "unknown to evaluation"),
                    **refs,
                )
