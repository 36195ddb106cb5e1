"""One long-lived, pooled HTTP client per downstream service.

A service's problem+json answer is passed to the caller unchanged; transport failures
become 503 (down), 504 (timed out) or 502 (answered nonsense) problems with Retry-After.
Each client has a circuit breaker: after `breaker_failures` transport failures in a row it
stops calling the service for `breaker_open_s` (503 at once), then lets one probe through.
"""

from __future__ import annotations

import json as json_lib
import math
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from gateway.config import Settings
from gateway.transport import Limits, Params, Reply, TimedOut, Unreachable, make_transport
from plumbing.errors import DomainError
from plumbing.principal import INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, REQUEST_ID_HEADER, Principal


class UpstreamProblem(Exception):
    """A service answered with an error: re-sent to the client as it is."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers
        super().__init__(f"{status} {body.get('code')}")


class CircuitBreaker:
    """closed → (N failures in a row) → open → (after open_s) → half-open: one probe; its
    success closes the circuit, its failure opens it again for another open_s."""

    def __init__(
        self, failures: int, open_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.open_s = open_s
        self._clock = clock
        self._count = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._probing or self._clock() >= self._opened_at + self.open_s:
            return "half_open"
        return "open"

    def admit(self) -> float | None:
        """None if a call may go out now, else the seconds until the next probe."""
        if self._opened_at is None:
            return None
        wait = self._opened_at + self.open_s - self._clock()
        if wait > 0:
            return wait
        if self._probing:  # one probe at a time; the others wait for its outcome
            return self.open_s
        self._probing = True
        return None

    def succeeded(self) -> None:
        self._count = 0
        self._opened_at = None
        self._probing = False

    def abandoned(self) -> None:
        self._probing = False

    def failed(self) -> None:
        self._count += 1
        if self._probing or self._count >= self.failures:
            self._opened_at = self._clock()
            self._probing = False


class ServiceClient:
    def __init__(self, name: str, base_url: str, settings: Settings) -> None:
        self.name = name
        self.retry_after = str(settings.retry_after_s)
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_open_s)
        self._token = settings.internal_token.get_secret_value()
        self._http = make_transport(
            settings.http_client,
            base_url,
            Limits(settings.connect_timeout_s, settings.read_timeout_s),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        request: Request,
        method: str,
        path: str,
        principal: Principal | None = None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Call the service as `principal` and return its JSON, or raise its problem."""
        reply = await self.call_raw(request, method, path, principal, json=json, params=params)
        return _json_of(reply.body)

    async def relay(
        self,
        request: Request,
        method: str,
        path: str,
        principal: Principal | None = None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> Response:
        """Call the service and hand its JSON answer to the client as it came, without
        parsing and re-encoding it (the service has validated and serialised it already)."""
        reply = await self.call_raw(request, method, path, principal, json=json, params=params)
        return Response(
            reply.body, status_code=status_code or reply.status, media_type="application/json"
        )

    async def call_raw(
        self,
        request: Request,
        method: str,
        path: str,
        principal: Principal | None = None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Reply:
        """Call the service as `principal`: its successful answer, or raise its problem."""
        headers = {
            INTERNAL_TOKEN_HEADER: self._token,
            REQUEST_ID_HEADER: getattr(request.state, "request_id", "") or "",
        }
        lang = request.headers.get("accept-language")
        if lang:
            headers["accept-language"] = lang
        if principal is not None:
            headers[PRINCIPAL_HEADER] = principal.header_value()
        content = None
        if json is not None:
            content = _dumps(json)
            headers["content-type"] = "application/json"
        query = _query(params) if params else None
        wait = self.breaker.admit()
        if wait is not None:
            raise DomainError(
                "service_unavailable",
                f"the {self.name} service is failing; calls are paused",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
                service=self.name,
                circuit="open",
            )
        try:
            reply = await self._send(method, path, content, query, headers)
        except DomainError:
            self.breaker.failed()
            raise
        except BaseException:
            # Cancelled: not the service's fault, but a half-open probe must not leave the
            # circuit waiting for an outcome that never comes.
            self.breaker.abandoned()
            raise
        try:
            self._check(reply)
        except DomainError:  # 502/503/504 without a problem body: the service is not well
            self.breaker.failed()
            raise
        except UpstreamProblem:  # the service answered (a business refusal)
            self.breaker.succeeded()
            raise
        self.breaker.succeeded()
        return reply

    async def _send(
        self,
        method: str,
        path: str,
        content: bytes | None,
        params: Params | None,
        headers: dict[str, str],
    ) -> Reply:
        # Only reads are retried: a write that may have landed is never sent twice.
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                return await self._http.send(
                    method, path, content=content, params=params, headers=headers
                )
            except TimedOut as exc:
                raise DomainError(
                    "gateway_timeout",
                    f"the {self.name} service did not answer in time",
                    headers={"Retry-After": self.retry_after},
                    service=self.name,
                ) from exc
            except Unreachable as exc:
                if attempt + 1 < attempts:
                    continue
                raise DomainError(
                    "service_unavailable",
                    f"the {self.name} service is unavailable",
                    headers={"Retry-After": self.retry_after},
                    service=self.name,
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _check(self, reply: Reply) -> None:
        """Nothing for a success; otherwise the service's problem, or ours."""
        if reply.status < 400:
            return
        body = _json_of(reply.body)
        if isinstance(body, dict) and "code" in body:
            headers = {}
            retry_after = reply.headers.get("retry-after")
            if retry_after is not None:
                headers["Retry-After"] = retry_after
            raise UpstreamProblem(reply.status, body, headers)
        if reply.status in (502, 503, 504):
            raise DomainError(
                "service_unavailable",
                f"the {self.name} service is unavailable",
                headers={"Retry-After": self.retry_after},
                service=self.name,
            )
        raise DomainError(
            "bad_gateway",
            f"the {self.name} service failed ({reply.status})",
            service=self.name,
        )


def _json_of(body: bytes) -> Any:
    """The JSON of a body; None for an empty one or one that is not JSON."""
    if not body:
        return None
    try:
        return json_lib.loads(body)
    except ValueError:
        return None


def _dumps(value: Any) -> bytes:
    return json_lib.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _query(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Query pairs as httpx writes them (true/false for booleans); None means absent."""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, bool):
                pairs.append((key, "true" if item else "false"))
            else:
                pairs.append((key, str(item)))
    return pairs


class Downstream:
    """The three clients, made once per process in the lifespan."""

    def __init__(self, settings: Settings) -> None:
        self.institutions = ServiceClient("institutions", settings.institutions_url, settings)
        self.enrolment = ServiceClient("enrolment", settings.enrolment_url, settings)
        self.evaluation = ServiceClient("evaluation", settings.evaluation_url, settings)

    async def aclose(self) -> None:
        for client in (self.institutions, self.enrolment, self.evaluation):
            await client.aclose()


async def get_downstream(request: Request) -> Downstream:
    downstream: Downstream = request.app.state.downstream
    return downstream


Services = Annotated[Downstream, Depends(get_downstream)]
