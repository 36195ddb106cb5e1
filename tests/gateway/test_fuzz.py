"""Generated-input fuzzing of the public API (issue 9): schemathesis derives requests from the
gateway's own OpenAPI document — valid ones and broken ones (wrong types, missing fields,
out-of-range numbers, bytes that are not UTF-8) — sends them to the gateway in process, whose
three services run for real, and checks every answer:

- never a 5xx (`not_a_server_error`);
- its status, content type, headers and body are the ones the OpenAPI declares for the
  operation (`status_code_conformance`, `content_type_conformance`,
  `response_headers_conformance`, `response_schema_conformance`);
- a schema-valid request is not refused as malformed, a schema-invalid one is refused
  (`positive_data_acceptance`, `negative_data_rejection`), a secured operation refuses a
  missing or forged token (`ignored_auth`), and the other built-in checks;
- and ours, `problem_details`: every answer >= 400 is `application/problem+json` with a
  string `code` and the HTTP status, and `Retry-After` where waiting helps.

Requests carry the token of a caller the operation admits (tests/gateway/access.py), picked
by a hash of the generated input, so they reach the handlers and the services rather than
stopping at 401/403; refusals are covered by `ignored_auth` and the authorisation matrix.

Bounded for `make test`: the `examples` phase (each operation's documented example) and the
`fuzzing` phase with `FUZZ_EXAMPLES` cases per operation, derandomised with a fixed seed, on
one backend (see `fuzz_backend`). The `coverage` phase (boundary values of every parameter and
every undeclared method: ~5,400 cases, minutes) runs with `JINENG_FUZZ_DEEP=1`, which also
raises the example count.
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from httpx import AsyncClient
from schemathesis.python import asgi
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.types import Receive, Scope, Send

from gateway.accounts.models import Account
from gateway.accounts.security import hash_password
from gateway.config import Settings
from gateway.main import create_app
from gateway.strict import MAX_ID, path_segment
from plumbing.clock import shanghai_today
from plumbing.db import make_engine
from plumbing.errors import CODES
from tests.e2e.client import ELDERLY_CARE, credit_code, id_number
from tests.gateway.access import ACCESS
from tests.gateway.conftest import login
from tests.stack import DEMO_PASSWORD, RunningStack, running_stack

SERVICES = ("institutions", "enrolment", "evaluation")
DEEP = os.environ.get("JINENG_FUZZ_DEEP") == "1"
FUZZ_EXAMPLES = 50 if DEEP else 3
CLERK_PASSWORD = "clerk-password-123"


class GatewayUnderTest:
    """The ASGI app schemathesis calls. The schema is loaded when the module is collected;
    the gateway can only be built once the services run (their URLs are its settings), so
    this forwards to the one the session fixture sets."""

    app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "the fuzz_gateway fixture builds the gateway"
        await self.app(scope, receive, send)


GATEWAY = GatewayUnderTest()

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261129,
        "generation": {
            "max-examples": FUZZ_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"coverage": {"enabled": DEEP}},
        "checks": {
            # Schema-valid is not always valid: check digits (ID numbers, credit codes),
            # cross-field rules and dates in the past are 422 by design, a locked account is
            # 423, and the 1 MiB body limit (413) is on the whole body, which no field's
            # schema can express. A 400, 405 or 5xx for a schema-valid request still fails.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "413", "422", "423", "429"]
            },
        },
    }
)
schema = schemathesis.openapi.from_dict(
    create_app(Settings(), db_url="sqlite+aiosqlite:///:memory:").openapi(), config=CONFIG
)
schema.app = GATEWAY


def problem_details(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every error is problem+json with a stable `code`; `Retry-After` where waiting helps."""
    if response.status_code < 400:
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/problem+json"), (
        f"{response.status_code} answered as {content_type!r}"
    )
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("code"), str), body
    assert body["code"] in CODES, f"unknown problem code {body['code']!r}"
    assert body.get("status") == response.status_code, body
    if response.status_code in (423, 429, 503, 504):
        assert response.headers.get("retry-after"), f"{response.status_code} without Retry-After"


@pytest.fixture(scope="session")
def fuzz_backend(pg_server: str | None) -> str:
    """One backend is enough for a bounded run: PostgreSQL where a server is found — the
    production database, and the stricter one (it was there that ids past 2^31 failed) —
    else SQLite. JINENG_FUZZ_BACKEND chooses."""
    return os.environ.get("JINENG_FUZZ_BACKEND") or ("postgresql" if pg_server else "sqlite")


@pytest.fixture(scope="session")
async def fuzz_services(
    fuzz_backend: str, pg_server: str | None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningStack]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    async with running_stack(fuzz_backend, tmp, pg_server, names=SERVICES) as running:
        yield running


@pytest.fixture(scope="session")
async def fuzz_gateway_db(fuzz_backend: str, database_factory: Any) -> str:
    """The gateway's own database; the demo accounts come with its startup, an admin here
    (demo mode has none)."""
    url: str = await database_factory("gateway", fuzz_backend)
    engine = make_engine(url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        session.add(
            Account(username="fuzz-admin", password_hash=hash_password(DEMO_PASSWORD), role="admin")
        )
        await session.commit()
    await engine.dispose()
    return url


@pytest.fixture(scope="session")
def fuzz_client(fuzz_services: RunningStack, fuzz_gateway_db: str) -> Iterator[asgi.ASGIClient]:
    """The gateway in process (with its startup: demo accounts, downstream clients) on the
    running services; one client for the whole session."""
    settings = Settings(
        env="test",
        demo=True,
        institutions_url=fuzz_services.urls["institutions"],
        enrolment_url=fuzz_services.urls["enrolment"],
        evaluation_url=fuzz_services.urls["evaluation"],
        access_token_ttl_s=3600,
        rate_profile=1_000_000,  # the worker's profile is fuzzed more often than a person edits
    )
    GATEWAY.app = create_app(settings, db_url=fuzz_gateway_db)
    try:
        with asgi.get_client(GATEWAY) as client:
            yield client
    finally:
        asgi.shutdown_lifespans()
        GATEWAY.app = None


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


@pytest.fixture(scope="session")
def callers(fuzz_client: asgi.ASGIClient) -> dict[str, dict[str, str]]:
    """The headers of each kind of caller in tests/gateway/access.py, logged in through the
    API, and a first object of each kind (institution, offering, request, order) so that
    small generated ids find something."""
    http = fuzz_client

    def login(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        body = {"username": username, "password": password}
        return _bearer(_ok(http.post("/api/v1/auth/token", json=body)))

    officer = login("city-officer")
    worker = _bearer(_ok(http.post("/api/v1/auth/wechat", json={"code": "demo:fuzz-worker"})))
    profile = {
        "id_number": id_number(),
        "name": "王小明",
        "phone": "13912345678",
        "unit_code": "rencheng",
        "group": "unemployed",
        "receives_pension": False,
    }
    _ok(http.put("/api/v1/me/profile", headers=worker, json=profile))
    institution = {
        "name": "济宁市任城区职业培训学校",
        "credit_code": credit_code(),
        "kind": "private",
        "unit_code": "rencheng",
        "approvals": [{"occupation_code": ELDERLY_CARE, "level": 5}],
    }
    inst = _ok(http.post("/api/v1/institutions", headers=officer, json=institution), 201)
    clerk = {"username": "fuzz-clerk", "password": CLERK_PASSWORD}
    _ok(http.post(f"/api/v1/institutions/{inst['id']}/staff", headers=officer, json=clerk), 201)
    today = shanghai_today()
    listing = {
        "institution_id": inst["id"],
        "occupation_code": ELDERLY_CARE,
        "level": 5,
        "unit_code": "rencheng",
        "capacity": 30,
        "hours": 40,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    offering = _ok(http.post("/api/v1/offerings", headers=officer, json=listing), 201)
    wish = {"occupation_code": ELDERLY_CARE, "level": 5, "unit_code": "rencheng"}
    request = _ok(http.post("/api/v1/requests", headers=worker, json=wish), 201)
    order = {"offering_id": offering["id"], "request_id": request["id"]}
    _ok(http.post("/api/v1/orders", headers=worker, json=order), 201)
    return {
        "anonymous": {},
        "worker": worker,
        "institution": login("fuzz-clerk", CLERK_PASSWORD),
        "county_officer": login("rencheng-officer"),
        "city_officer": officer,
        "finance": login("finance-officer"),
        "evaluator": login("evaluator"),
        "admin": login("fuzz-admin"),
    }


def headers_for(case: schemathesis.Case, callers: dict[str, dict[str, str]]) -> dict[str, str]:
    """The token of one of the callers the operation admits, chosen by the generated input
    itself (the same input always goes with the same caller, so a failure replays and
    shrinks) — in place of the generated bearer token, which no gateway would accept. A
    secured operation's case generated without a bearer token (a negative case: missing or
    malformed `Authorization`) is sent as generated, and must be refused."""
    route = f"{case.method.upper()} {case.operation.path}"
    # An undeclared method (the deep run's coverage phase) has no entry: a staff caller.
    admitted = sorted(ACCESS.get(route, {"city_officer"}))
    generated = (case.headers or {}).get("Authorization", "")
    if "anonymous" not in admitted and not generated.startswith("Bearer "):
        return {}
    data = repr((case.path_parameters, case.query, case.body)).encode()
    return callers[admitted[zlib.crc32(data) % len(admitted)]]


@pytest.mark.stack
@schema.parametrize()
def test_generated_requests_get_documented_answers(
    case: schemathesis.Case, callers: dict[str, dict[str, str]], fuzz_client: asgi.ASGIClient
) -> None:
    case.call_and_validate(
        session=fuzz_client,
        headers=headers_for(case, callers),
        additional_checks=[problem_details],
    )


def _unbounded_integers(
    node: Any, where: str, components: dict[str, Any], seen: set[str]
) -> list[str]:
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded_integers(components[name], name, components, seen | {name})
    found = []
    # Ids fit a PostgreSQL `integer`; other numbers (money in fen) at least a `bigint`.
    limit = MAX_ID if where.endswith(("_id", "_ids[]", "number")) else 2**63 - 1
    if node.get("type") == "integer" and node.get("maximum", limit + 1) > limit:
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            found += _unbounded_integers(sub, where, components, seen)
    for name, sub in node.get("properties", {}).items():
        found += _unbounded_integers(sub, f"{where}.{name}", components, seen)
    found += _unbounded_integers(node.get("items"), f"{where}[]", components, seen)
    return found


def test_every_integer_is_bounded() -> None:
    """Every integer a client sends — path, query, header or body — has a maximum the
    databases can hold (ids are PostgreSQL `integer`): the fuzzer's first finding was
    huge ids reaching the services' queries and failing there as 500s."""
    document = create_app(Settings(), db_url="sqlite+aiosqlite:///:memory:").openapi()
    components = document["components"]["schemas"]
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                unbounded += _unbounded_integers(parameter["schema"], where, components, set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded_integers(content["schema"], path, components, set())
    assert unbounded == []


# The fuzzer's findings, each pinned by a fast test (gateway in process, services down).


async def test_an_id_beyond_the_database_is_refused_before_any_service(gw: AsyncClient) -> None:
    headers = await login(gw, "city-officer")
    for order_id in (MAX_ID + 1, 0, -1, 10**30):
        response = await gw.get(f"/api/v1/orders/{order_id}", headers=headers)
        # 422 at the door; reaching the (stopped) service would be 503.
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_failed"


def test_a_client_string_stays_in_its_path_segment() -> None:
    for value, raw in [
        ("..", b"/v1/certificates/%2E%2E/revoke"),
        ("JN2026?x=1#f", b"/v1/certificates/JN2026%3Fx%3D1%23f/revoke"),
        ("a/b", b"/v1/certificates/a%2Fb/revoke"),
    ]:
        url = httpx.URL(f"http://evaluation/v1/certificates/{path_segment(value)}/revoke")
        assert url.raw_path == raw


async def test_a_body_that_is_not_utf8_is_a_422_problem(gw: AsyncClient) -> None:
    response = await gw.post(
        "/api/v1/auth/token",
        content=b'{"username": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "validation_failed"


async def test_allow_lists_every_method_of_the_path(gw: AsyncClient) -> None:
    # GET and PUT /me/profile are two routes; Starlette alone would advertise only one.
    response = await gw.request("DELETE", "/api/v1/me/profile")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT"}
