"""The gateway's HTTP client behind one small interface: send a request, get status, headers
and body bytes back, or one of two transport failures.

Three implementations: httpx (pooled AsyncClient), httpx2 (its maintained fork, same API)
and aiohttp (ClientSession with a TCPConnector pool). `JINENG_HTTP_CLIENT` picks one;
`python -m bench.clients` measures them side by side (docs/PERFORMANCE.md). Everything the
gateway decides about an answer (problems, retries, the breaker) lives in gateway/clients.py
and is the same whichever sends the bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, Protocol

ClientKind = Literal["httpx", "httpx2", "aiohttp"]
CLIENT_KINDS: tuple[ClientKind, ...] = ("httpx", "httpx2", "aiohttp")
# What the gateway uses unless told otherwise: the fastest in `python -m bench.clients`.
DEFAULT_CLIENT: ClientKind = "aiohttp"

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Reply:
    """A service's answer. `headers` looks names up case-insensitively."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Unreachable(Exception):
    """No answer could come: connection refused, connect timeout, connection cut or a
    broken HTTP exchange. A read may be retried; the service counts as down."""


class TimedOut(Exception):
    """Connected, but no answer within the read timeout: the request may have landed."""


@dataclass(frozen=True, slots=True)
class Limits:
    connect_timeout_s: float
    read_timeout_s: float
    max_connections: int = 100
    max_keepalive: int = 50
    # An idle pooled connection is dropped by the gateway before the service drops it
    # (uvicorn closes after 5 s idle): a write is never sent on a connection the server is
    # closing at that moment, which would fail it and, as a write, not be retried.
    keepalive_expiry_s: float = 4.0


class Transport(Protocol):
    async def send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        params: Params | None,
        headers: Mapping[str, str],
    ) -> Reply: ...

    async def aclose(self) -> None: ...


class HttpxTransport:
    """httpx or httpx2 (the same API): one pooled AsyncClient per service."""

    def __init__(self, module: ModuleType, base_url: str, limits: Limits) -> None:
        self._m = module
        self._client: Any = module.AsyncClient(
            base_url=base_url,
            timeout=module.Timeout(limits.read_timeout_s, connect=limits.connect_timeout_s),
            limits=module.Limits(
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive,
                keepalive_expiry=limits.keepalive_expiry_s,
            ),
            trust_env=False,  # no proxies or .netrc between the gateway and its services
        )

    async def send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        params: Params | None,
        headers: Mapping[str, str],
    ) -> Reply:
        m = self._m
        try:
            response = await self._client.request(
                method, path, content=content, params=params, headers=headers
            )
        except m.ConnectTimeout as exc:
            raise Unreachable(str(exc)) from exc
        except m.TimeoutException as exc:
            raise TimedOut(str(exc)) from exc
        except m.TransportError as exc:
            raise Unreachable(str(exc)) from exc
        return Reply(response.status_code, response.headers, response.content)

    async def aclose(self) -> None:
        await self._client.aclose()


class AiohttpTransport:
    """aiohttp: one ClientSession per service over a keep-alive TCPConnector pool. The
    session is made on first use, inside the running event loop."""

    def __init__(self, base_url: str, limits: Limits) -> None:
        # Imported here, so a gateway set to aiohttp without it installed fails at start-up,
        # not on its first call.
        self._aiohttp = importlib.import_module("aiohttp")
        self._base_url = base_url
        self._limits = limits
        self._session: Any = None

    def _open(self) -> Any:
        aiohttp = self._aiohttp
        limits = self._limits
        self._session = aiohttp.ClientSession(
            base_url=self._base_url,
            connector=aiohttp.TCPConnector(
                limit=limits.max_connections,
                limit_per_host=limits.max_connections,
                keepalive_timeout=limits.keepalive_expiry_s,
            ),
            # sock_connect is httpx's connect timeout, sock_read its read timeout; waiting
            # for a free connection of the pool is bounded by the read timeout, as in httpx.
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=limits.read_timeout_s + limits.connect_timeout_s,
                sock_connect=limits.connect_timeout_s,
                sock_read=limits.read_timeout_s,
            ),
            auto_decompress=False,
            skip_auto_headers=("User-Agent",),
            trust_env=False,
        )
        # aiohttp re-sends a GET once on its own when a connection breaks; the gateway has
        # its own retry policy (gateway/clients.py), so one attempt here is one attempt.
        self._session._retry_connection = False
        return self._session

    async def send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        params: Params | None,
        headers: Mapping[str, str],
    ) -> Reply:
        aiohttp = self._aiohttp
        session = self._session or self._open()
        try:
            async with session.request(
                method, path, data=content, params=params, headers=headers
            ) as response:
                body = await response.read()
                return Reply(response.status, response.headers, body)
        except aiohttp.ConnectionTimeoutError as exc:
            raise Unreachable(str(exc)) from exc
        except aiohttp.ServerTimeoutError as exc:
            raise TimedOut(str(exc)) from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise Unreachable(str(exc)) from exc
        except aiohttp.ClientResponseError as exc:  # an answer that is not HTTP
            raise Unreachable(str(exc)) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def make_transport(kind: ClientKind, base_url: str, limits: Limits) -> Transport:
    if kind == "aiohttp":
        return AiohttpTransport(base_url, limits)
    return HttpxTransport(importlib.import_module(kind), base_url, limits)
