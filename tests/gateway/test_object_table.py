"""The object table (tests/gateway/objects.py) against the gateway's routes: every route with
a path parameter has exactly one entry, each entry is consistent with the role table, and
the live probe of tests/e2e/test_object_access.py calls each one."""

from __future__ import annotations

from gateway.config import Settings
from gateway.main import create_app
from tests.gateway.access import ACCESS
from tests.gateway.objects import FORBIDDEN, NOT_FOUND, OBJECTS
from tests.gateway.routes import api_routes

ROUTES = sorted(
    {f"{method} {path}" for method, path, _ in api_routes(create_app(Settings())) if "{" in path}
)


def test_every_route_with_a_path_parameter_has_an_object_entry() -> None:
    missing = [route for route in ROUTES if route not in OBJECTS]
    stale = [route for route in OBJECTS if route not in ROUTES]
    assert missing == [], "add these routes to tests/gateway/objects.py"
    assert stale == [], "these entries name routes that no longer exist"


def test_object_entries_name_only_admitted_callers_and_known_refusals() -> None:
    """A scoped or denied caller the role table does not even admit would never be called:
    the entry would claim something no test checks."""
    wrong = {}
    for route, entry in OBJECTS.items():
        named = {*entry.scoped, *entry.denied}
        outside = named - ACCESS[route]
        odd = {r for r in (*entry.scoped.values(), *entry.denied.values())} - {NOT_FOUND, FORBIDDEN}
        params = [p.split("}")[0] for p in route.split("{")[1:]]
        if outside or odd or (entry.param is not None and entry.param not in params):
            wrong[route] = (sorted(outside), sorted(odd), entry.param)
    assert wrong == {}
