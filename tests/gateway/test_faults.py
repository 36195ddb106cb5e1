"""The gateway under downstream faults (issue 9, item 4): a TCP fault proxy between the gateway
and a stand-in enrolment service delays or cuts connections. Timeouts give 504, cuts 503, both
with Retry-After; only reads are retried; a failing service trips the circuit breaker, which
refuses at once while open and lets one probe through after its pause."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from gateway.clients import CircuitBreaker
from gateway.config import Settings
from gateway.transport import CLIENT_KINDS, ClientKind
from tests.faultproxy import FaultProxy, ProblemServer
from tests.gateway.conftest import closed_port_url, worker_login

REQUEST = {"occupation_code": "4-10-01-05", "level": 5, "unit_code": "rencheng"}


@pytest.fixture
async def proxy() -> AsyncIterator[FaultProxy]:
    async with ProblemServer() as service, FaultProxy(service.port) as proxy:
        yield proxy


@pytest.fixture(params=CLIENT_KINDS)
def gateway_settings(proxy: FaultProxy, request: pytest.FixtureRequest) -> Settings:
    """The module's gateway: enrolment behind the fault proxy, short timeouts, a quick breaker;
    once with each HTTP client library the gateway can use (gateway/transport.py)."""
    down = closed_port_url()
    kind: ClientKind = request.param
    return Settings(
        demo=True,
        http_client=kind,
        institutions_url=down,
        enrolment_url=proxy.url,
        evaluation_url=down,
        connect_timeout_s=0.5,
        read_timeout_s=0.3,
        breaker_failures=3,
        breaker_open_s=0.5,
    )


async def test_answers_pass_through_the_proxy(gw: AsyncClient, proxy: FaultProxy) -> None:
    worker = await worker_login(gw, "fault-1")
    response = await gw.get("/api/v1/me/profile", headers=worker)
    assert response.status_code == 404  # the stand-in service's own answer
    assert proxy.connections == 1


async def test_a_slow_service_is_504_with_retry_after(gw: AsyncClient, proxy: FaultProxy) -> None:
    worker = await worker_login(gw, "fault-2")
    proxy.mode, proxy.delay_s = "delay", 1.0
    response = await gw.post("/api/v1/requests", json=REQUEST, headers=worker)
    assert response.status_code == 504
    assert response.json()["code"] == "gateway_timeout"
    assert response.headers["retry-after"]


async def test_cut_reads_are_retried_once_and_writes_never(
    gw: AsyncClient, proxy: FaultProxy
) -> None:
    worker = await worker_login(gw, "fault-3")
    proxy.mode = "cut"
    read = await gw.get("/api/v1/me/profile", headers=worker)
    assert read.status_code == 503
    assert read.json()["code"] == "service_unavailable"
    assert read.headers["retry-after"]
    assert proxy.connections == 2  # GET: tried, then retried once
    write = await gw.post("/api/v1/requests", json=REQUEST, headers=worker)
    assert write.status_code == 503
    assert proxy.connections == 3  # POST: a write that may have landed is never re-sent


async def test_the_circuit_opens_then_probes_then_closes(
    gw: AsyncClient, proxy: FaultProxy
) -> None:
    worker = await worker_login(gw, "fault-4")
    proxy.mode = "cut"
    for _ in range(3):
        failed = await gw.post("/api/v1/requests", json=REQUEST, headers=worker)
        assert failed.status_code == 503
        assert "circuit" not in failed.json()
    assert proxy.connections == 3
    proxy.mode = "pass"  # the service is back, but the breaker does not know yet
    paused = await gw.post("/api/v1/requests", json=REQUEST, headers=worker)
    assert paused.status_code == 503
    assert paused.json()["circuit"] == "open"
    assert paused.headers["retry-after"] == "1"
    assert proxy.connections == 3  # refused without calling the service
    await asyncio.sleep(0.6)
    probe = await gw.post("/api/v1/requests", json=REQUEST, headers=worker)
    assert probe.status_code == 404  # the probe reached the service: the circuit closes
    assert proxy.connections == 4
    after = await gw.get("/api/v1/me/profile", headers=worker)
    assert after.status_code == 404


def test_breaker_states_with_a_clock() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, open_s=10, clock=lambda: now[0])
    assert breaker.admit() is None
    breaker.failed()
    breaker.succeeded()  # a success in between resets the count
    breaker.failed()
    assert breaker.state == "closed"
    breaker.failed()
    assert breaker.state == "open"
    assert breaker.admit() == 10
    now[0] = 9.5
    assert breaker.admit() == 0.5
    now[0] = 10
    assert breaker.admit() is None  # the probe
    assert breaker.state == "half_open"
    assert breaker.admit() == 10  # only one probe at a time
    breaker.failed()  # the probe failed: open again for a full pause
    assert breaker.state == "open"
    now[0] = 20
    assert breaker.admit() is None
    breaker.abandoned()  # a cancelled probe frees the slot
    assert breaker.admit() is None
    breaker.succeeded()
    assert breaker.state == "closed"
    assert breaker.admit() is None
