"""The authorisation matrix (issue 9, item 1): every gateway route, called as every kind of
caller, against the table in tests/gateway/access.py. A route without an entry fails, and so
does an entry whose route is gone.

Each call carries a valid token minted for the caller and placeholder ids; the services are
down. A refused caller gets 403 `forbidden` (401 without a token) before any service is
asked; an admitted caller gets anything else (422 for the placeholder body, 503 for the
service, ...). Object-level scope — whose order, which unit — is decided by the services in
their queries and proven per route by the tests named in docs/SECURITY.md.
"""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from gateway.accounts.security import issue_access_token
from gateway.config import Settings
from gateway.main import create_app
from plumbing.principal import Principal
from tests.gateway.access import ACCESS, CALLERS
from tests.gateway.routes import api_routes

ROUTES = sorted({f"{method} {path}" for method, path, _ in api_routes(create_app(Settings()))})


def test_every_route_has_exactly_one_entry() -> None:
    missing = [route for route in ROUTES if route not in ACCESS]
    stale = [route for route in ACCESS if route not in ROUTES]
    assert missing == [], "add these routes to tests/gateway/access.py"
    assert stale == [], "these entries name routes that no longer exist"


def _token(settings: Settings, caller: str) -> dict[str, str]:
    principal = Principal.model_validate(CALLERS[caller])
    return {"Authorization": f"Bearer {issue_access_token(settings, principal)}"}


async def _outcomes(gw: AsyncClient, settings: Settings, route: str) -> dict[str, int]:
    method, path = route.split(" ", 1)
    url = re.sub(r"\{[^}]+\}", "1", path)
    outcomes = {}
    for caller in [*CALLERS, "anonymous"]:
        headers = {} if caller == "anonymous" else _token(settings, caller)
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        response = await gw.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
        outcomes[caller] = response.status_code
        if response.status_code in (401, 403):
            assert response.json()["code"] in ("unauthorized", "forbidden"), (route, caller)
    return outcomes


async def _mismatches(
    gw: AsyncClient, settings: Settings, table: dict[str, frozenset[str]], routes: list[str]
) -> dict[str, dict[str, list[str]]]:
    wrong = {}
    for route in routes:
        outcomes = await _outcomes(gw, settings, route)
        admitted = {caller for caller, status in outcomes.items() if status not in (401, 403)}
        if route in table and admitted != set(table[route]):
            wrong[route] = {
                "admitted but not in the table": sorted(admitted - table[route]),
                "in the table but refused": sorted(table[route] - admitted),
            }
    return wrong


async def test_every_route_admits_exactly_its_table_entry(
    gw: AsyncClient, gateway_settings: Settings, backend: str
) -> None:
    """One gateway for all routes (a fresh one per route would cost a minute)."""
    if backend != "sqlite":
        pytest.skip("role checks happen before any database work: one backend is enough")
    assert await _mismatches(gw, gateway_settings, ACCESS, ROUTES) == {}


async def test_the_matrix_reports_a_wrong_entry(
    gw: AsyncClient, gateway_settings: Settings, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough")
    route = "POST /api/v1/orders/{order_id}/accept"
    table = {route: frozenset({"worker", "institution", "finance"})}
    wrong = await _mismatches(gw, gateway_settings, table, [route])
    assert wrong == {
        route: {
            "admitted but not in the table": [],
            "in the table but refused": ["finance", "worker"],
        }
    }
