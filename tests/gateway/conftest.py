"""An in-process gateway on its own database, with demo accounts; downstream services are
whatever URLs the test gives (by default a closed port: nothing answers)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.accounts.service import seed_demo_accounts
from gateway.accounts.wechat import DemoWeChatProvider
from gateway.clients import Downstream
from gateway.config import Settings
from gateway.main import create_app
from plumbing.db import make_engine
from tests.support import rollback_client


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
async def gateway_url(backend: str, database_factory) -> str:  # type: ignore[no-untyped-def]
    """A migrated gateway database with the demo accounts committed once (argon2 is slow
    on purpose; hashing five passwords per test would dominate the run)."""
    url: str = await database_factory("gateway", backend)
    engine = make_engine(url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        await seed_demo_accounts(session, "jineng-demo")
    await engine.dispose()
    return url


@pytest.fixture
def gateway_settings() -> Settings:
    down = closed_port_url()
    return Settings(
        demo=True,
        institutions_url=down,
        enrolment_url=down,
        evaluation_url=down,
        connect_timeout_s=0.5,
        read_timeout_s=2.0,
    )


@pytest.fixture
async def gw(gateway_url: str, gateway_settings: Settings) -> AsyncIterator[AsyncClient]:
    """The gateway in-process; every commit is rolled back at the end of the test."""
    app = create_app(gateway_settings, db_url=gateway_url)
    # rollback_client skips the lifespan, so set up what the startup hook would.
    app.state.downstream = Downstream(gateway_settings)
    app.state.wechat = DemoWeChatProvider()
    try:
        async with rollback_client(app, gateway_url) as client:
            yield client
    finally:
        await app.state.downstream.aclose()


async def login(
    client: AsyncClient, username: str, password: str = "jineng-demo"
) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def worker_login(client: AsyncClient, openid: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/wechat", json={"code": f"demo:{openid}"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
