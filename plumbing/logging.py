"""Structured logs: one JSON line per request, carrying the request id across processes.

Never log bodies, query strings or headers other than the request id: they may carry
personal data (ID numbers, phones).
"""

from __future__ import annotations

import hmac
import logging
import sys
import time
import uuid
from typing import Any

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing import sqlstats, sqltrace
from plumbing.errors import problem_response
from plumbing.principal import (
    INTERNAL_TOKEN_HEADER,
    PRINCIPAL_HEADER,
    REQUEST_ID_HEADER,
    parse_principal,
)

OPEN_PATHS = frozenset({"/healthz", "/readyz"})


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestMiddleware:
    """Assigns or carries the request id, checks the internal credential on services, parses
    the acting principal, and writes one log line per request."""

    def __init__(self, app: ASGIApp, *, service: str, internal_token: str | None = None) -> None:
        self.app = app
        self.service = service
        self.internal_token = internal_token.encode() if internal_token else None
        self.log = structlog.get_logger("request")
        self.sql_stats = sqlstats.enabled()
        self.sql_trace = sqltrace.enabled()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _header(scope, REQUEST_ID_HEADER.encode()) or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status_holder = {"status": 500}
        principal_desc: dict[str, Any] = {}
        statements = sqlstats.start() if self.sql_stats else None
        trace = (
            sqltrace.start(self.service, request_id, scope["method"], scope["path"])
            if self.sql_trace
            else None
        )
        # The line is written before the last body chunk goes out, so a client that has the
        # whole answer finds the line in the log (after it, the two raced).
        logged = [False]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                if statements is not None:
                    headers.append((sqlstats.HEADER.encode(), str(statements[0]).encode()))
                message["headers"] = headers
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                logged[0] = True
                if self.log.is_enabled_for(logging.INFO):
                    self._log_request(
                        scope, status_holder["status"], started, request_id, principal_desc
                    )
            await send(message)

        try:
            if self.internal_token is not None and scope["path"] not in OPEN_PATHS:
                given = (_header(scope, INTERNAL_TOKEN_HEADER.encode()) or "").encode()
                if not hmac.compare_digest(given, self.internal_token):
                    await _refuse(scope, receive, send_wrapper)
                    return
                try:
                    principal = parse_principal(_header(scope, PRINCIPAL_HEADER.encode()))
                except Exception:
                    await _refuse(scope, receive, send_wrapper)
                    return
                if principal is not None:
                    state["principal"] = principal
                    principal_desc = {"principal_id": principal.id, "role": principal.role}
            await self.app(scope, receive, send_wrapper)
        finally:
            if trace is not None:
                sqltrace.finish(trace)
            # Checked first: at WARNING (as the benchmark runs) the line is not built.
            if not logged[0] and self.log.is_enabled_for(logging.INFO):
                self._log_request(
                    scope, status_holder["status"], started, request_id, principal_desc
                )

    def _log_request(
        self,
        scope: Scope,
        status: int,
        started: float,
        request_id: str,
        principal_desc: dict[str, Any],
    ) -> None:
        self.log.info(
            "request",
            service=self.service,
            method=scope["method"],
            path=scope["path"],
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            request_id=request_id,
            **principal_desc,
        )


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        Request(scope), "unauthorized", 401, "services accept calls only from the gateway"
    )
    await response(scope, receive, send)
