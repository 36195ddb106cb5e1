"""The published OpenAPI document: complete, documented, and in sync with openapi.json."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gateway.config import Settings
from gateway.main import create_app

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"

# The contract of DESIGN.md: (method, path) that the app and WeChat teams build against.
CONTRACT = [
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/wechat"),
    ("post", "/api/v1/auth/refresh"),
    ("get", "/api/v1/me"),
    ("put", "/api/v1/me/profile"),
    ("get", "/api/v1/me/eligibility"),
    ("get", "/api/v1/catalogue/items"),
    ("post", "/api/v1/institutions"),
    ("post", "/api/v1/institutions/{institution_id}/staff"),
    ("post", "/api/v1/requests"),
    ("post", "/api/v1/offerings"),
    ("get", "/api/v1/offerings"),
    ("get", "/api/v1/requests/{request_id}/matches"),
    ("post", "/api/v1/orders"),
    ("get", "/api/v1/orders"),
    ("get", "/api/v1/orders/{order_id}"),
    ("post", "/api/v1/orders/{order_id}/cancel"),
    ("post", "/api/v1/orders/{order_id}/accept"),
    ("post", "/api/v1/orders/{order_id}/reject"),
    ("post", "/api/v1/offerings/{offering_id}/class-plan"),
    ("post", "/api/v1/offerings/{offering_id}/class-plan/approve"),
    ("post", "/api/v1/orders/{order_id}/attendance"),
    ("post", "/api/v1/orders/{order_id}/complete"),
    ("post", "/api/v1/evaluations/results"),
    ("get", "/api/v1/certificates/{number}"),
    ("post", "/api/v1/orders/{order_id}/claims"),
    ("post", "/api/v1/claims/{claim_id}/review"),
    ("post", "/api/v1/claims/{claim_id}/approve"),
    ("post", "/api/v1/claims/{claim_id}/pay"),
    ("get", "/api/v1/claims/{claim_id}"),
    ("get", "/api/v1/funds/balance"),
    ("post", "/api/v1/funds/deposits"),
]


def current_schema() -> dict[str, Any]:
    app = create_app(Settings(), db_url="sqlite+aiosqlite:///:memory:")
    return app.openapi()


def test_committed_openapi_is_in_sync() -> None:
    schema = current_schema()
    rendered = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_OPENAPI") == "1":
        COMMITTED.write_text(rendered, encoding="utf-8")
    assert COMMITTED.exists(), "run `make openapi` to write openapi.json"
    assert COMMITTED.read_text(encoding="utf-8") == rendered, (
        "openapi.json is stale: run `make openapi` and commit it"
    )


@pytest.mark.parametrize(("method", "path"), CONTRACT)
def test_every_contract_call_is_documented(method: str, path: str) -> None:
    operation = current_schema()["paths"][path][method]
    assert operation.get("description") or operation.get("summary")
    body = operation.get("requestBody")
    if body is not None:
        schema = body["content"]["application/json"]["schema"]
        refs = [schema, *schema.get("anyOf", [])]
        ref = next(r["$ref"] for r in refs if "$ref" in r)
        name = ref.rsplit("/", 1)[-1]
        component = current_schema()["components"]["schemas"][name]
        assert component.get("examples"), f"{name} has no example body"
    problems = [
        (status, r) for status, r in operation["responses"].items() if status.startswith(("4", "5"))
    ]
    assert problems, "no problem responses documented"
    for _, response in problems:
        assert "application/problem+json" in response["content"]
