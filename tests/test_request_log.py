"""The request log line: written at INFO, and not even built when the level filters it out
(the benchmark and production run at WARNING)."""

from __future__ import annotations

import json

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.responses import PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

from plumbing import logging as request_logging
from plumbing.logging import RequestMiddleware, configure_logging


async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("short and stout", status_code=418)(scope, receive, send)


async def call(app: RequestMiddleware) -> None:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/pot", headers={"x-request-id": "r-1"})
    assert response.status_code == 418
    assert response.headers["x-request-id"] == "r-1"


async def test_info_writes_one_line_per_request(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json_lines=True)
    await call(RequestMiddleware(teapot, service="test"))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["event"], e["path"], e["status"], e["request_id"]) for e in lines] == [
        ("request", "/pot", 418, "r-1")
    ]


async def test_warning_builds_no_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging("WARNING", json_lines=True)
    built: list[object] = []
    monkeypatch.setattr(
        request_logging.RequestMiddleware, "_log_request", lambda *a: built.append(a)
    )
    try:
        await call(RequestMiddleware(teapot, service="test"))
    finally:
        configure_logging("INFO", json_lines=True)
    assert built == []
    assert capsys.readouterr().out == ""


async def test_the_line_is_written_before_the_answer_is_complete(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A client holding the whole answer finds its line in the log (they used to race)."""
    configure_logging("INFO", json_lines=True)
    seen_at_last_chunk: list[str] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            seen_at_last_chunk.append(capsys.readouterr().out)

    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": "/pot",
        "headers": [(b"x-request-id", b"r-2")],
        "query_string": b"",
    }
    await RequestMiddleware(teapot, service="test")(scope, receive, send)
    assert len(seen_at_last_chunk) == 1
    assert '"request_id": "r-2"' in seen_at_last_chunk[0]
    assert capsys.readouterr().out == ""  # once, not again afterwards
