"""Request limits (issue 9, item 7): strict bodies, string lengths, page size, body size."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from gateway.config import Settings
from gateway.main import create_app
from gateway.strict import MAX_STRING, RequestModel
from tests.gateway.conftest import login, worker_login
from tests.gateway.routes import api_routes, body_models

PROBLEM = "application/problem+json"


def test_every_request_body_refuses_unknown_fields() -> None:
    """A new route whose body model is not a RequestModel (or loosens `extra`) fails here."""
    loose = sorted(
        f"{method} {path}: {model.__name__}"
        for method, path, route in api_routes(create_app(Settings()))
        for model in body_models(route)
        if not issubclass(model, RequestModel) or model.model_config.get("extra") != "forbid"
    )
    assert loose == []


def test_every_page_size_is_bounded() -> None:
    unbounded = []
    for method, path, route in api_routes(create_app(Settings())):
        for param in route.dependant.query_params:
            if param.name != "limit":
                continue
            bounds = [getattr(m, "le", None) for m in param.field_info.metadata]
            if not any(b is not None and b <= 200 for b in bounds):
                unbounded.append(f"{method} {path}")
    assert unbounded == []


async def test_unknown_fields_are_refused(gw: AsyncClient) -> None:
    response = await gw.post(
        "/api/v1/auth/token",
        json={"username": "city-officer", "password": "jineng-demo", "role": "admin"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "validation_failed"
    assert ["body", "role"] in [e["loc"] for e in body["errors"]]


async def test_unknown_fields_are_refused_before_any_downstream_call(gw: AsyncClient) -> None:
    worker = await worker_login(gw, "strict-1")
    response = await gw.post(
        "/api/v1/requests",
        headers=worker,
        json={"occupation_code": "4-01-02-01", "level": 4, "unit_code": "rencheng", "x": 1},
    )
    # 422 and not 503: the enrolment service (down here) was never asked.
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_overlong_strings_are_refused(gw: AsyncClient) -> None:
    response = await gw.post("/api/v1/auth/wechat", json={"code": "x" * 257})
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "string_too_long"


def test_strings_without_their_own_bound_are_capped() -> None:
    class Free(RequestModel):
        note: str

    Free(note="x" * MAX_STRING)
    with pytest.raises(ValueError, match="at most"):
        Free(note="x" * (MAX_STRING + 1))


async def test_page_size_over_200_is_refused(gw: AsyncClient) -> None:
    officer = await login(gw, "city-officer")
    response = await gw.get("/api/v1/institutions", params={"limit": 201}, headers=officer)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


async def test_declared_oversized_body_is_413(gw: AsyncClient, gateway_settings: Settings) -> None:
    big = b'{"code": "' + b"x" * gateway_settings.max_body_bytes + b'"}'
    response = await gw.post(
        "/api/v1/auth/wechat", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "payload_too_large"


async def test_streamed_oversized_body_is_413(gw: AsyncClient, gateway_settings: Settings) -> None:
    chunk = b"x" * 65536
    count = gateway_settings.max_body_bytes // len(chunk) + 2

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"code": "'
        for _ in range(count):
            yield chunk
        yield b'"}'

    response = await gw.post(
        "/api/v1/auth/wechat", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
