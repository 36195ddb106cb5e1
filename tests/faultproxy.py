"""A small TCP fault proxy for tests: sits between the gateway and a service and passes bytes
through, delays them, or cuts connections — and counts the connections it was offered.

    async with FaultProxy(upstream_port) as proxy:
        settings.enrolment_url = proxy.url
        proxy.mode = "cut"        # accept, then close at once (a crash mid-connection)
        proxy.mode = "delay"      # hold every byte for proxy.delay_s seconds
        proxy.mode = "slow"       # pass requests at once, hold the answers (a slow service)
        proxy.mode = "pass"
        proxy.plan = ["pass", "cut"]  # per request to the service, before `mode` applies:
                                      # let the next one through, cut the one after
        proxy.methods = (b"POST ",)   # only writes meet the plan and the mode

`upstream` may be set after the proxy starts (a stack whose ports are chosen later).
`requests` counts the requests seen on their way to the service, `cuts` those cut.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Literal

Mode = Literal["pass", "delay", "slow", "cut"]
_METHODS = (b"GET ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ", b"HEAD ", b"OPTIONS ")


def _starts_request(data: bytes) -> bool:
    """A chunk that opens an HTTP/1.1 request (a request line), not a body's continuation."""
    line = data.split(b"\r\n", 1)[0]
    return data.startswith(_METHODS) and line.endswith(b" HTTP/1.1")


class FaultProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream_port)
        self.host = host
        self.mode: Mode = "pass"
        self.delay_s = 0.0
        self.connections = 0
        self.plan: list[Mode] = []
        # When set, only requests with these methods (b"POST ", ...) meet the plan and the
        # mode; the others pass.
        self.methods: tuple[bytes, ...] | None = None
        self.requests = 0
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{self.host}:{port}"

    async def __aenter__(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.mode == "cut" and not self.plan:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        # The fate of the latest request on this connection, which its answer shares.
        fate: list[Mode] = [self.mode]
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer, fate, to_service=True)),
            asyncio.create_task(self._pump(up_reader, writer, fate, to_service=False)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            self._tasks.difference_update(pumps)
            for w in (writer, up_writer):
                with contextlib.suppress(Exception):
                    w.close()

    def _decide(self, data: bytes) -> Mode:
        """A new request on its way to the service: the plan decides while it lasts, then
        the mode."""
        self.requests += 1
        if self.methods is not None and not data.startswith(self.methods):
            return "pass"
        fate: Mode = self.plan.pop(0) if self.plan else self.mode
        if fate == "cut":
            self.cuts += 1
        return fate

    async def _pump(
        self,
        src: asyncio.StreamReader,
        dst: asyncio.StreamWriter,
        fate: list[Mode],
        *,
        to_service: bool,
    ) -> None:
        try:
            while data := await src.read(65536):
                if to_service and _starts_request(data):
                    fate[0] = self._decide(data)
                if fate[0] == "delay" or (fate[0] == "slow" and not to_service):
                    await asyncio.sleep(self.delay_s)
                if fate[0] == "cut":
                    dst.transport.abort()
                    return
                dst.write(data)
                await dst.drain()
        finally:
            with contextlib.suppress(Exception):
                dst.write_eof()


class ProblemServer:
    """A stand-in service on a real socket that answers every request with a 404 problem:
    an answer (the service is up), not a failure."""

    def __init__(self) -> None:
        self.requests = 0
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> ProblemServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                body = b'{"code": "not_found", "status": 404, "detail": "stand-in"}'
                writer.write(
                    b"HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\n"
                    b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
