"""Published results cannot be changed or deleted, not even by SQL: the database refuses."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.evaluation.conftest import GOVERNMENT, as_read, record, result_body
from tests.support import as_


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE results SET score = 99 WHERE id = :id",
        "UPDATE results SET passed = NOT passed WHERE id = :id",
        "UPDATE results SET certificate_number = 'JN2026-0000001-FAKE' WHERE id = :id",
        "DELETE FROM results WHERE id = :id",
    ],
)
async def test_the_database_refuses_to_rewrite_a_result(
    client: AsyncClient, statement: str
) -> None:
    stored = await record(client, result_body(8001, passed=True, score=70))
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    async with maker() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            await session.execute(text(statement), {"id": stored["id"]})
        await session.rollback()
    again = await client.get(f"/v1/results/{stored['id']}", headers=as_(GOVERNMENT))
    assert again.json() == as_read(stored)
