"""Who may call which gateway route: the explicit table the authorisation matrix
(tests/gateway/test_authz_matrix.py) checks every route against.

ONE ENTRY PER ROUTE, shaped `"<METHOD> <path as declared>": <callers>`, e.g.

    "GET /api/v1/quotas/{quota_id}": OFFICERS | {"finance"},

where <callers> is PUBLIC (no token needed) or a frozenset of the kinds of caller in CALLERS
that the route admits. A route without an entry fails the matrix, as does an entry for a
route that is gone. Admission here is the role check; which of the objects a caller may
see (their own order, their own institution, their own unit) is decided by the services'
queries; the object table next door (tests/gateway/objects.py) says whose object each route
takes, and tests/e2e/test_object_access.py proves it on the live stack.
"""

from __future__ import annotations

from typing import Any

# The kinds of caller, as the principal their access token carries.
CALLERS: dict[str, dict[str, Any]] = {
    "worker": {"id": 101, "role": "worker"},
    "institution": {
        "id": 102,
        "role": "institution",
        "institution_id": 1,
        "unit_code": "rencheng",
    },
    "county_officer": {"id": 103, "role": "government", "unit_code": "rencheng"},
    "city_officer": {"id": 104, "role": "government"},
    "finance": {"id": 105, "role": "finance"},
    "evaluator": {"id": 106, "role": "evaluator", "evaluation_body_id": 1},
    "admin": {"id": 107, "role": "admin"},
}

PUBLIC = frozenset({"anonymous", *CALLERS})
EVERYONE = frozenset(CALLERS)  # any logged-in caller
OFFICERS = frozenset({"county_officer", "city_officer", "admin"})

ACCESS: dict[str, frozenset[str]] = {
    "GET /api/v1/audit/verify": OFFICERS | {"finance"},
    "GET /api/v1/catalogue/items": EVERYONE,
    "GET /api/v1/catalogue/versions": EVERYONE,
    "GET /api/v1/catalogue/versions/{number}": EVERYONE,
    "GET /api/v1/catalogue/versions/{number}/export": EVERYONE,
    "GET /api/v1/certificates": OFFICERS | {"evaluator"},
    "GET /api/v1/certificates/{number}": PUBLIC,
    "GET /api/v1/claims": OFFICERS | {"institution", "finance"},
    "GET /api/v1/claims/{claim_id}": OFFICERS | {"institution", "finance"},
    "GET /api/v1/claims/{claim_id}/objections": OFFICERS | {"institution", "finance"},
    "GET /api/v1/class-plans": OFFICERS | {"institution", "finance"},
    "GET /api/v1/demand-catalogue": OFFICERS,
    "GET /api/v1/evaluations/bodies": EVERYONE,
    "GET /api/v1/evaluations/bodies/{body_id}": EVERYONE,
    "GET /api/v1/evaluations/catalogue": EVERYONE,
    "GET /api/v1/evaluations/catalogue/versions": EVERYONE,
    "GET /api/v1/evaluations/entitlements": OFFICERS | {"finance"},
    "GET /api/v1/evaluations/results": OFFICERS | {"worker", "finance", "evaluator"},
    "GET /api/v1/evaluations/results/{result_id}": OFFICERS | {"worker", "finance", "evaluator"},
    "GET /api/v1/evaluations/sessions": EVERYONE,
    "GET /api/v1/evaluations/sessions/{session_id}": EVERYONE,
    "GET /api/v1/evaluations/sessions/{session_id}/candidates": OFFICERS | {"evaluator"},
    "GET /api/v1/flags": OFFICERS | {"worker", "finance"},
    "GET /api/v1/funds/balance": OFFICERS | {"finance"},
    "GET /api/v1/funds/ledger/export": frozenset({"finance"}),
    "GET /api/v1/funds/reconciliation": OFFICERS | {"finance"},
    "GET /api/v1/institutions": EVERYONE,
    "GET /api/v1/institutions/{institution_id}": EVERYONE,
    "GET /api/v1/institutions/{institution_id}/events": OFFICERS | {"institution", "finance"},
    "GET /api/v1/institutions/{institution_id}/inspections": OFFICERS | {"institution", "finance"},
    "GET /api/v1/institutions/{institution_id}/open-orders": OFFICERS,
    "GET /api/v1/institutions/{institution_id}/ratings": OFFICERS | {"institution", "finance"},
    "GET /api/v1/me": EVERYONE,
    "GET /api/v1/me/certificates": frozenset({"worker"}),
    "GET /api/v1/me/eligibility": frozenset({"worker"}),
    "GET /api/v1/me/notifications": frozenset({"worker"}),
    "GET /api/v1/me/profile": frozenset({"worker"}),
    "GET /api/v1/offerings": EVERYONE,
    "GET /api/v1/offerings/{offering_id}": EVERYONE,
    "GET /api/v1/offerings/{offering_id}/class-plan": OFFICERS | {"institution", "finance"},
    "GET /api/v1/orders": EVERYONE,
    "GET /api/v1/orders/{order_id}": EVERYONE,
    "GET /api/v1/orders/{order_id}/decision": EVERYONE,
    "GET /api/v1/orders/{order_id}/timeline": EVERYONE,
    "GET /api/v1/payment-batches/{key}": frozenset({"finance"}),
    "GET /api/v1/requests": EVERYONE,
    "GET /api/v1/requests/{request_id}": EVERYONE,
    "GET /api/v1/requests/{request_id}/matches": EVERYONE,
    "GET /api/v1/supervision/outcomes": OFFICERS,
    "GET /api/v1/supervision/watch-list": OFFICERS,
    "GET /api/v1/units": EVERYONE,
    "PATCH /api/v1/institutions/{institution_id}": OFFICERS,
    "PATCH /api/v1/institutions/{institution_id}/contact": frozenset({"institution"}),
    "POST /api/v1/auth/logout": PUBLIC,
    "POST /api/v1/auth/refresh": PUBLIC,
    "POST /api/v1/auth/token": PUBLIC,
    "POST /api/v1/auth/wechat": PUBLIC,
    "POST /api/v1/catalogue/versions": OFFICERS,
    "POST /api/v1/catalogue/versions/import": OFFICERS,
    "POST /api/v1/certificates/{number}/revoke": OFFICERS,
    "POST /api/v1/claims/pay-batch": frozenset({"finance"}),
    "POST /api/v1/claims/{claim_id}/approve": OFFICERS,
    "POST /api/v1/claims/{claim_id}/claw-back": frozenset({"finance"}),
    "POST /api/v1/claims/{claim_id}/countersign": frozenset({"finance"}),
    "POST /api/v1/claims/{claim_id}/objections": EVERYONE,
    "POST /api/v1/claims/{claim_id}/pay": frozenset({"finance"}),
    "POST /api/v1/claims/{claim_id}/reject": OFFICERS,
    "POST /api/v1/claims/{claim_id}/review": OFFICERS,
    "POST /api/v1/evaluations/bodies": OFFICERS,
    "POST /api/v1/evaluations/bodies/{body_id}/evaluators": OFFICERS,
    "POST /api/v1/evaluations/bodies/{body_id}/reinstate": OFFICERS,
    "POST /api/v1/evaluations/bodies/{body_id}/revoke": OFFICERS,
    "POST /api/v1/evaluations/bodies/{body_id}/suspend": OFFICERS,
    "POST /api/v1/evaluations/candidates/{candidate_id}/result": frozenset({"evaluator"}),
    "POST /api/v1/evaluations/catalogue/versions": OFFICERS,
    "POST /api/v1/evaluations/results": frozenset({"evaluator"}),
    "POST /api/v1/evaluations/results/{result_id}/corrections": frozenset({"evaluator"}),
    "POST /api/v1/evaluations/sessions": frozenset({"evaluator"}),
    "POST /api/v1/evaluations/sessions/{session_id}/candidates": OFFICERS
    | {"institution", "evaluator"},
    "POST /api/v1/flags/{flag_id}/resolve": OFFICERS,
    "POST /api/v1/funds/deposits": frozenset({"finance"}),
    "POST /api/v1/institutions": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/approvals": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/designations": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/inspections": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/reinstate": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/revoke": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/staff": OFFICERS,
    "POST /api/v1/institutions/{institution_id}/suspend": OFFICERS,
    "POST /api/v1/maintenance/expire": OFFICERS,
    "POST /api/v1/me/notifications/read-all": frozenset({"worker"}),
    "POST /api/v1/me/notifications/{notification_id}/read": frozenset({"worker"}),
    "POST /api/v1/objections/{objection_id}/decide": OFFICERS,
    "POST /api/v1/offerings": OFFICERS,
    "POST /api/v1/offerings/{offering_id}/class-plan": frozenset({"institution"}),
    "POST /api/v1/offerings/{offering_id}/class-plan/approve": OFFICERS,
    "POST /api/v1/offerings/{offering_id}/class-plan/return": OFFICERS,
    "POST /api/v1/offerings/{offering_id}/withdraw": OFFICERS,
    "POST /api/v1/orders": frozenset({"worker"}),
    "POST /api/v1/orders/{order_id}/accept": frozenset({"institution"}),
    "POST /api/v1/orders/{order_id}/attendance": frozenset({"worker", "institution"}),
    "POST /api/v1/orders/{order_id}/cancel": frozenset({"worker"}),
    "POST /api/v1/orders/{order_id}/claims": frozenset({"worker", "institution"}),
    "POST /api/v1/orders/{order_id}/complete": frozenset({"institution"}),
    "POST /api/v1/orders/{order_id}/confirm": frozenset({"worker"}),
    "POST /api/v1/orders/{order_id}/dispute": frozenset({"worker"}),
    "POST /api/v1/orders/{order_id}/drop": frozenset({"institution"}),
    "POST /api/v1/orders/{order_id}/learning-sessions": frozenset({"worker"}),
    "POST /api/v1/orders/{order_id}/reject": frozenset({"institution"}),
    "POST /api/v1/requests": frozenset({"worker"}),
    "POST /api/v1/requests/{request_id}/withdraw": frozenset({"worker"}),
    "POST /api/v1/supervision/ratings": OFFICERS,
    "PUT /api/v1/evaluations/bodies/{body_id}/scope": OFFICERS,
    "PUT /api/v1/me/profile": frozenset({"worker"}),
    # Issue 7: quotas, monthly reports and supervision alerts. Unit scoping (a county officer
    # sees and signs only their own unit; quotas and the city report are city-wide) is the
    # services' and is proven in tests/e2e/test_reports.py.
    "GET /api/v1/quotas/{year}": OFFICERS | {"finance"},
    "PUT /api/v1/quotas/{year}/{unit_code}": OFFICERS,
    "GET /api/v1/reports/quota-progress": OFFICERS | {"finance"},
    "GET /api/v1/reports/quota-progress/chart.svg": OFFICERS | {"finance"},
    "GET /api/v1/reports/quota-progress/export": OFFICERS | {"finance"},
    "POST /api/v1/reports/monthly": OFFICERS,
    "GET /api/v1/reports/monthly": OFFICERS | {"finance"},
    "GET /api/v1/reports/monthly/deadlines/{month}": OFFICERS | {"finance"},
    "GET /api/v1/reports/monthly/city/{month}": frozenset({"city_officer", "admin", "finance"}),
    "GET /api/v1/reports/monthly/city/{month}/export": frozenset(
        {"city_officer", "admin", "finance"}
    ),
    "GET /api/v1/reports/monthly/{report_id}": OFFICERS | {"finance"},
    "PUT /api/v1/reports/monthly/{report_id}/narrative": OFFICERS,
    "POST /api/v1/reports/monthly/{report_id}/sign-off": OFFICERS,
    "GET /api/v1/reports/monthly/{report_id}/export": OFFICERS | {"finance"},
    "GET /api/v1/supervision/alerts": OFFICERS,
}
