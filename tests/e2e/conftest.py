"""The live four-process stack, once per backend, shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.stack import RunningStack, running_stack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="session")
async def stack(
    backend: str, pg_server: str | None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningStack]:
    tmp: Path = tmp_path_factory.mktemp(f"stack-{backend}")
    # Claims go straight from review to approval (no public notice); a payment batch pauses
    # between claims so a test can kill enrolment half-way through one.
    extra = {"JINENG_PUBLIC_NOTICE_DAYS": "0", "JINENG_PAYMENT_BATCH_DELAY_MS": "400"}
    async with running_stack(backend, tmp, pg_server, extra_env=extra) as running:
        yield running


@pytest.fixture
async def gateway(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the gateway, as the app calls it."""
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        yield client
