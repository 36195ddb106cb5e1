"""Whose objects a caller may act on: the explicit object table of the authorisation matrix
(issue 9, item 1), next to the role table in tests/gateway/access.py.

ONE ENTRY PER GATEWAY ROUTE WITH A PATH PARAMETER, shaped

    "<METHOD> <path as declared>": Objects("<kind>", {<caller kind>: <refusal>, ...}),

where <kind> names the object the route's first path parameter holds (the world of
tests/e2e/world.py has one of each kind on side A and one on side B), and the mapping lists the
caller kinds (of access.CALLERS) that may act only on their own side's object, with what they
get for the other side's: NOT_FOUND (404 `not_found`, the service does not admit the object
exists) or FORBIDDEN (403 `forbidden`). Every other caller the role table admits may act on
either side's object: the city officer, finance and the administrator are city-wide, and some
objects are public (a certificate's verification, an offering, an institution's card). OPEN
says so for a route where nobody is scoped.

Sides: a worker owns its requests, orders, notifications, results and claims' objections; an
institution's staff own their institution and its offerings, orders and claims; a county
officer owns everything in their unit; an evaluator owns their body's sessions, candidates and
results; a finance officer owns the payment batches they started.

tests/gateway/test_object_table.py fails on a route with a path parameter and no entry, and
on an entry whose route is gone; tests/e2e/test_object_access.py calls every entry's route
as every admitted caller on both sides' objects and compares with the entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

NOT_FOUND = (404, "not_found")
FORBIDDEN = (403, "forbidden")

Refusal = tuple[int, str]


@dataclass(frozen=True)
class Objects:
    kind: str
    scoped: Mapping[str, Refusal] = field(default_factory=dict)
    # Caller kinds the gateway's role check lets through but the service refuses even their
    # own object (the services check the role again), with what they get; for the other
    # side's object a scoped kind gets its `scoped` refusal, which comes first.
    denied: Mapping[str, Refusal] = field(default_factory=dict)
    param: str | None = None  # the path parameter holding the object; None: the first one


def OPEN(kind: str) -> Objects:
    """Nobody is scoped: every caller the role table admits may use any value."""
    return Objects(kind)


# Who is scoped for the objects most routes take.
ORDER = {"worker": NOT_FOUND, "institution": NOT_FOUND, "county_officer": NOT_FOUND}
CLAIM = {"institution": NOT_FOUND, "county_officer": NOT_FOUND}
BY_WORKER = {"worker": NOT_FOUND}
BY_STAFF = {"institution": NOT_FOUND}
BY_EITHER = {"worker": NOT_FOUND, "institution": NOT_FOUND}
UNIT_CLAIM = {"county_officer": NOT_FOUND}
UNIT_ONLY = {"county_officer": FORBIDDEN}
INSTITUTION = {"institution": FORBIDDEN, "county_officer": FORBIDDEN}
REQUEST = {"worker": NOT_FOUND, "county_officer": NOT_FOUND}
# The gateway admits these kinds (tests/gateway/access.py) where the service does not.
FINANCE_DENIED = {"finance": FORBIDDEN}
ADMIN_DENIED = {"admin": FORBIDDEN}

OBJECTS: dict[str, Objects] = {
    # Reference data: nobody owns a catalogue version, a body's card, a month or a year.
    "GET /api/v1/catalogue/versions/{number}": OPEN("catalogue_version"),
    "GET /api/v1/catalogue/versions/{number}/export": OPEN("catalogue_version"),
    "GET /api/v1/evaluations/bodies/{body_id}": OPEN("body"),
    "GET /api/v1/quotas/{year}": OPEN("year"),
    "GET /api/v1/reports/monthly/city/{month}": OPEN("month"),
    "GET /api/v1/reports/monthly/city/{month}/export": OPEN("month"),
    "GET /api/v1/reports/monthly/deadlines/{month}": Objects(
        "month", denied={"county_officer": FORBIDDEN}
    ),
    # Public by design: anyone verifies a certificate; offerings and institutions' cards are
    # what workers choose from.
    "GET /api/v1/certificates/{number}": OPEN("certificate"),
    "GET /api/v1/offerings/{offering_id}": Objects(
        "offering", {"institution": NOT_FOUND, "county_officer": NOT_FOUND}
    ),
    "GET /api/v1/institutions/{institution_id}": OPEN("institution"),
    # Evaluation bodies are accredited by the city; any officer manages any body.
    "POST /api/v1/evaluations/bodies/{body_id}/evaluators": OPEN("spare_body"),
    "POST /api/v1/evaluations/bodies/{body_id}/reinstate": OPEN("spare_body"),
    "POST /api/v1/evaluations/bodies/{body_id}/revoke": OPEN("spare_body"),
    "POST /api/v1/evaluations/bodies/{body_id}/suspend": OPEN("spare_body"),
    "PUT /api/v1/evaluations/bodies/{body_id}/scope": OPEN("spare_body"),
    # Evaluation.
    "GET /api/v1/evaluations/sessions/{session_id}": OPEN("session"),
    "GET /api/v1/evaluations/sessions/{session_id}/candidates": Objects(
        "session", {"evaluator": NOT_FOUND}
    ),
    "POST /api/v1/evaluations/sessions/{session_id}/candidates": Objects(
        "session", {"evaluator": FORBIDDEN}
    ),
    "POST /api/v1/evaluations/candidates/{candidate_id}/result": Objects(
        "candidate", {"evaluator": NOT_FOUND}
    ),
    "GET /api/v1/evaluations/results/{result_id}": Objects(
        "result", {"worker": NOT_FOUND, "evaluator": NOT_FOUND}
    ),
    "POST /api/v1/evaluations/results/{result_id}/corrections": Objects(
        "result", {"evaluator": NOT_FOUND}
    ),
    # A certificate carries no unit (a body may examine walk-in candidates from anywhere):
    # revoking one is a city-wide government act, any officer's. Not yet scoped by unit.
    "POST /api/v1/certificates/{number}/revoke": OPEN("certificate"),
    # Orders.
    "GET /api/v1/orders/{order_id}": Objects("order", ORDER),
    "GET /api/v1/orders/{order_id}/decision": Objects("order", ORDER),
    "GET /api/v1/orders/{order_id}/timeline": Objects("order", ORDER),
    "POST /api/v1/orders/{order_id}/accept": Objects("order", BY_STAFF),
    "POST /api/v1/orders/{order_id}/attendance": Objects("order", BY_EITHER),
    "POST /api/v1/orders/{order_id}/cancel": Objects("order", BY_WORKER),
    "POST /api/v1/orders/{order_id}/claims": Objects(
        "order", BY_EITHER, denied={"worker": FORBIDDEN}
    ),
    "POST /api/v1/orders/{order_id}/complete": Objects("order", BY_STAFF),
    "POST /api/v1/orders/{order_id}/confirm": Objects("order", BY_WORKER),
    "POST /api/v1/orders/{order_id}/dispute": Objects("order", BY_WORKER),
    "POST /api/v1/orders/{order_id}/drop": Objects("order", BY_STAFF),
    "POST /api/v1/orders/{order_id}/learning-sessions": Objects("order", BY_WORKER),
    "POST /api/v1/orders/{order_id}/reject": Objects("order", BY_STAFF),
    # Workers' own things.
    "GET /api/v1/requests/{request_id}": Objects(
        "request",
        REQUEST,
        denied={"institution": NOT_FOUND, "evaluator": NOT_FOUND},
    ),
    "GET /api/v1/requests/{request_id}/matches": Objects(
        "request",
        REQUEST,
        denied={"institution": NOT_FOUND, "evaluator": NOT_FOUND},
    ),
    "POST /api/v1/requests/{request_id}/withdraw": Objects("request", {"worker": NOT_FOUND}),
    "POST /api/v1/me/notifications/{notification_id}/read": Objects(
        "notification", {"worker": NOT_FOUND}
    ),
    "POST /api/v1/flags/{flag_id}/resolve": Objects("flag", {"county_officer": NOT_FOUND}),
    # Claims.
    "GET /api/v1/claims/{claim_id}": Objects("claim", CLAIM),
    "GET /api/v1/claims/{claim_id}/objections": Objects("claim", CLAIM),
    # Public notice: anyone logged in may object to any claim on notice.
    "POST /api/v1/claims/{claim_id}/objections": OPEN("claim"),
    "POST /api/v1/claims/{claim_id}/review": Objects("claim", UNIT_CLAIM, denied=ADMIN_DENIED),
    "POST /api/v1/claims/{claim_id}/approve": Objects("claim", UNIT_CLAIM, denied=ADMIN_DENIED),
    "POST /api/v1/claims/{claim_id}/reject": Objects("claim", UNIT_CLAIM, denied=ADMIN_DENIED),
    "POST /api/v1/claims/{claim_id}/pay": OPEN("claim"),
    "POST /api/v1/claims/{claim_id}/countersign": OPEN("claim"),
    "POST /api/v1/claims/{claim_id}/claw-back": OPEN("claim"),
    "POST /api/v1/objections/{objection_id}/decide": Objects(
        "objection", UNIT_CLAIM, denied=ADMIN_DENIED
    ),
    "GET /api/v1/payment-batches/{key}": Objects("payment_batch", {"finance": NOT_FOUND}),
    # Institutions.
    "PATCH /api/v1/institutions/{institution_id}": Objects("institution", UNIT_ONLY),
    "PATCH /api/v1/institutions/{institution_id}/contact": Objects(
        "institution", {"institution": FORBIDDEN}
    ),
    "GET /api/v1/institutions/{institution_id}/events": Objects(
        "institution", INSTITUTION, denied=FINANCE_DENIED
    ),
    "GET /api/v1/institutions/{institution_id}/inspections": Objects(
        "institution", INSTITUTION, denied=FINANCE_DENIED
    ),
    "GET /api/v1/institutions/{institution_id}/ratings": Objects(
        "institution", INSTITUTION, denied=FINANCE_DENIED
    ),
    "GET /api/v1/institutions/{institution_id}/open-orders": Objects("institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/approvals": Objects("institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/designations": Objects("institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/inspections": Objects("institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/staff": Objects("institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/suspend": Objects("spare_institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/reinstate": Objects("spare_institution", UNIT_ONLY),
    "POST /api/v1/institutions/{institution_id}/revoke": Objects("spare_institution", UNIT_ONLY),
    # Offerings and their class plans.
    "GET /api/v1/offerings/{offering_id}/class-plan": Objects(
        "offering", {"institution": FORBIDDEN, "county_officer": FORBIDDEN}, denied=FINANCE_DENIED
    ),
    "POST /api/v1/offerings/{offering_id}/class-plan": Objects(
        "offering", {"institution": NOT_FOUND}
    ),
    "POST /api/v1/offerings/{offering_id}/class-plan/approve": Objects("offering", UNIT_ONLY),
    "POST /api/v1/offerings/{offering_id}/class-plan/return": Objects("offering", UNIT_ONLY),
    "POST /api/v1/offerings/{offering_id}/withdraw": Objects(
        "spare_offering", {"county_officer": NOT_FOUND}
    ),
    # Quotas and monthly reports: a county officer sets and signs only their own unit's.
    "PUT /api/v1/quotas/{year}/{unit_code}": Objects(
        "unit", denied={"county_officer": FORBIDDEN}, param="unit_code"
    ),
    "GET /api/v1/reports/monthly/{report_id}": Objects("monthly_report", UNIT_ONLY),
    "GET /api/v1/reports/monthly/{report_id}/export": Objects("monthly_report", UNIT_ONLY),
    "PUT /api/v1/reports/monthly/{report_id}/narrative": Objects("monthly_report", UNIT_ONLY),
    "POST /api/v1/reports/monthly/{report_id}/sign-off": Objects("monthly_report", UNIT_ONLY),
}
