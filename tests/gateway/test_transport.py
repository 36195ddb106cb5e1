"""The gateway's three HTTP client libraries (gateway/transport.py) behave alike: an answer
that is not a problem is 502 (or 503 for 502/503/504), bytes that are not HTTP are 503, a
success is relayed byte for byte, and query parameters are written as httpx writes them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from gateway.clients import _query
from gateway.config import Settings
from gateway.transport import CLIENT_KINDS, ClientKind
from tests.gateway.conftest import closed_port_url, worker_login


class CannedServer:
    """Answers every request with the bytes in `answer` (then closes the connection), and
    keeps the request lines it saw."""

    def __init__(self) -> None:
        self.answer = b""
        self.lines: list[bytes] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> CannedServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.lines.append(head.split(b"\r\n", 1)[0])
            writer.write(self.answer)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def http(status: str, body: bytes, content_type: bytes = b"text/html") -> bytes:
    return (
        b"HTTP/1.1 " + status.encode() + b"\r\ncontent-type: " + content_type + b"\r\n"
        b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


@pytest.fixture
async def canned() -> AsyncIterator[CannedServer]:
    async with CannedServer() as server:
        yield server


@pytest.fixture(params=CLIENT_KINDS)
def gateway_settings(canned: CannedServer, request: pytest.FixtureRequest) -> Settings:
    down = closed_port_url()
    kind: ClientKind = request.param
    return Settings(
        demo=True,
        http_client=kind,
        institutions_url=down,
        enrolment_url=canned.url,
        evaluation_url=down,
        connect_timeout_s=0.5,
        read_timeout_s=2.0,
    )


async def test_an_error_page_is_502_and_a_gateway_error_503(
    gw: AsyncClient, canned: CannedServer
) -> None:
    worker = await worker_login(gw, "transport-1")
    canned.answer = http("500 Internal Server Error", b"<html>oops</html>")
    failed = await gw.get("/api/v1/me/profile", headers=worker)
    assert failed.status_code == 502
    assert failed.json()["code"] == "bad_gateway"
    canned.answer = http("503 Service Unavailable", b"<html>later</html>")
    down = await gw.get("/api/v1/me/profile", headers=worker)
    assert down.status_code == 503
    assert down.headers["retry-after"]


async def test_bytes_that_are_not_http_are_503(gw: AsyncClient, canned: CannedServer) -> None:
    worker = await worker_login(gw, "transport-2")
    canned.answer = b"SSH-2.0-OpenSSH_9.6\r\n"
    response = await gw.get("/api/v1/me/profile", headers=worker)
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert len(canned.lines) == 2  # a read: tried, then retried once


async def test_a_relayed_answer_keeps_its_bytes_and_the_query(
    gw: AsyncClient, canned: CannedServer
) -> None:
    worker = await worker_login(gw, "transport-3")
    body = '{"items":[{"id":7,"institution_name":"济宁职业培训学校"}],"total":1}'.encode()
    canned.answer = http("200 OK", body, b"application/json")
    response = await gw.get("/api/v1/offerings", params={"level": 5, "limit": 20}, headers=worker)
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "application/json"
    assert canned.lines == [b"GET /v1/offerings?level=5&limit=20&offset=0 HTTP/1.1"]


def test_query_pairs_are_written_as_httpx_writes_them() -> None:
    assert _query({"a": True, "b": False, "c": None, "d": 3, "e": ["x", "y"]}) == [
        ("a", "true"),
        ("b", "false"),
        ("d", "3"),
        ("e", "x"),
        ("e", "y"),
    ]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_idle_connections_are_dropped_before_the_service_drops_them(kind: ClientKind) -> None:
    """uvicorn closes a keep-alive connection after `timeout_keep_alive` idle seconds; the
    gateway's pool must let it go sooner, or a write may go out on a closing connection."""
    import uvicorn

    from gateway.transport import Limits, make_transport

    server_idle_s = uvicorn.Config(app=None).timeout_keep_alive
    transport: Any = make_transport(kind, closed_port_url(), Limits(0.5, 2.0))
    try:
        if kind == "aiohttp":
            # private, but the only place aiohttp keeps the setting it was given
            idle_s = transport._open().connector._keepalive_timeout
        else:
            idle_s = transport._client._transport._pool._keepalive_expiry
        assert 0 < idle_s < server_idle_s
    finally:
        await transport.aclose()
