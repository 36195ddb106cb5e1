"""The enrolment service in-process, on a migrated database; every test rolled back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from services.enrolment.main import create_app
from tests.support import rollback_client


@pytest.fixture(scope="session")
async def enrolment_url(backend: str, database_factory: Any) -> str:
    url: str = await database_factory("enrolment", backend)
    return url


@pytest.fixture
async def client(enrolment_url: str) -> AsyncIterator[AsyncClient]:
    async with rollback_client(create_app(db_url=enrolment_url), enrolment_url) as c:
        yield c
