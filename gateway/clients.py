"""One long-lived, pooled HTTP client per downstream service.

A service's problem+json answer is passed to the caller unchanged; transport failures
become 503 (down), 504 (timed out) or 502 (answered nonsense) problems with Retry-After.
"""

from __future__ import annotations

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


class ServiceClient:
    def __init__(self, name: str, base_url: str, settings: Settings) -> None:
        self.name = name
        self.retry_after = str(settings.retry_after_s)
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
        # Only reads are retried: a write that may have landed is never sent twice.
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                response = await self._http.request(
                    method, path, json=json, params=params, headers=headers
                )
                break
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
        return self._result(response)

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
