"""Helpers for the order-5 tests: a client whose settings suit the test, and the steps from
a claimed order to an approved claim."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from httpx import AsyncClient

from plumbing.principal import Principal
from services.enrolment.config import Settings
from services.enrolment.main import create_app
from tests.enrolment.helpers import CITY, FINANCE, RENCHENG
from tests.support import as_, rollback_client


def settings(**overrides: Any) -> Settings:
    return Settings(**({"public_notice_days": 0} | overrides))


@asynccontextmanager
async def client_with(url: str, **overrides: Any) -> AsyncIterator[AsyncClient]:
    async with rollback_client(create_app(settings(**overrides), db_url=url), url) as c:
        yield c


async def deposit(
    client: AsyncClient, amount: int, source: str = "special_training"
) -> dict[str, Any]:
    response = await client.post(
        "/v1/funds/deposits", json={"source": source, "amount_fen": amount}, headers=as_(FINANCE)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def review(client: AsyncClient, claim_id: int, by: Principal = RENCHENG) -> dict[str, Any]:
    response = await client.post(f"/v1/claims/{claim_id}/review", headers=as_(by))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def approve(client: AsyncClient, claim_id: int, by: Principal = CITY) -> dict[str, Any]:
    """Review (by the unit officer) then approve (by the city officer); notice days are 0."""
    await review(client, claim_id)
    response = await client.post(f"/v1/claims/{claim_id}/approve", headers=as_(by))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def balance(client: AsyncClient, source: str = "special_training") -> dict[str, int]:
    body = (await client.get("/v1/funds/balance", headers=as_(FINANCE))).json()
    found: dict[str, int] = next(s for s in body["by_source"] if s["source"] == source)
    return found
