"""One long-lived, pooled HTTP client per downstream service.

A service's problem+json answer is passed to the caller unchanged; transport failures
become 503 (down), 504 (timed out) or 502 (answered nonsense) problems with Retry-After.
Each client has a circuit breaker: after `breaker_failures` transport failures in a row it
stops calling the service for `breaker_open_s` (503 at once), then lets one probe through.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request

from gateway.config import Settings
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
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
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
        headers = {
            INTERNAL_TOKEN_HEADER: self._token,
            REQUEST_ID_HEADER: getattr(request.state, "request_id", "") or "",
        }
        lang = request.headers.get("accept-language")
        if lang:
            headers["accept-language"] = lang
        if principal is not None:
            headers[PRINCIPAL_HEADER] = principal.header_value()
        if params:
            params = {k: v for k, v in params.items() if v is not None}
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
            response = await self._send(method, path, json, params, headers)
        except DomainError:
            self.breaker.failed()
            raise
        except BaseException:
            # Cancelled: not the service's fault, but a half-open probe must not leave the
            # circuit waiting for an outcome that never comes.
            self.breaker.abandoned()
            raise
        try:
            result = self._result(response)
        except DomainError:  # 502/503/504 without a problem body: the service is not well
            self.breaker.failed()
            raise
        except UpstreamProblem:  # the service answered (a business refusal)
            self.breaker.succeeded()
            raise
        self.breaker.succeeded()
        return result

    async def _send(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> httpx.Response:
        # Only reads are retried: a write that may have landed is never sent twice.
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                return await self._http.request(
                    method, path, json=json, params=params, headers=headers
                )
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout) and attempt + 1 < attempts:
                    continue
                code = (
                    "service_unavailable"
                    if isinstance(exc, httpx.ConnectTimeout)
                    else "gateway_timeout"
                )
                raise DomainError(
                    code,
                    f"the {self.name} service did not answer in time",
                    headers={"Retry-After": self.retry_after},
                    service=self.name,
                ) from exc
            except httpx.TransportError as exc:
                if attempt + 1 < attempts:
                    continue
                raise DomainError(
                    "service_unavailable",
                    f"the {self.name} service is unavailable",
                    headers={"Retry-After": self.retry_after},
                    service=self.name,
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _result(self, response: httpx.Response) -> Any:
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        if response.status_code < 400:
            return body
        if isinstance(body, dict) and "code" in body:
            headers = {}
            if "retry-after" in response.headers:
                headers["Retry-After"] = response.headers["retry-after"]
            raise UpstreamProblem(response.status_code, body, headers)
        if response.status_code in (502, 503, 504):
            raise DomainError(
                "service_unavailable",
                f"the {self.name} service is unavailable",
                headers={"Retry-After": self.retry_after},
                service=self.name,
            )
        raise DomainError(
            "bad_gateway",
            f"the {self.name} service failed ({response.status_code})",
            service=self.name,
        )


class Downstream:
    """The three clients, made once per process in the lifespan."""

    def __init__(self, settings: Settings) -> None:
        self.institutions = ServiceClient("institutions", settings.institutions_url, settings)
        self.enrolment = ServiceClient("enrolment", settings.enrolment_url, settings)
        self.evaluation = ServiceClient("evaluation", settings.evaluation_url, settings)

    async def aclose(self) -> None:
        for client in (self.institutions, self.enrolment, self.evaluation):
            await client.aclose()


def get_downstream(request: Request) -> Downstream:
    downstream: Downstream = request.app.state.downstream
    return downstream


Services = Annotated[Downstream, Depends(get_downstream)]
