"""The acting principal, as the gateway passes it to the services."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import BaseModel

from plumbing.errors import DomainError, Forbidden

Role = Literal["worker", "institution", "government", "finance", "evaluator", "admin"]

INTERNAL_TOKEN_HEADER = "x-internal-token"
PRINCIPAL_HEADER = "x-principal"
REQUEST_ID_HEADER = "x-request-id"


class Principal(BaseModel):
    """Who is acting. `unit_code` None on a government principal means the whole city."""

    id: int
    role: Role
    username: str | None = None
    unit_code: str | None = None
    institution_id: int | None = None
    evaluation_body_id: int | None = None

    def header_value(self) -> str:
        return json.dumps(self.model_dump(exclude_none=True), separators=(",", ":"))

    @property
    def city_wide(self) -> bool:
        return self.role in ("government", "admin") and self.unit_code is None


def parse_principal(raw: str | None) -> Principal | None:
    if not raw:
        return None
    try:
        return Principal.model_validate_json(raw)
    except ValueError as exc:
        raise DomainError("unauthorized", "the principal header is malformed") from exc


async def current_principal(request: Request) -> Principal:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise DomainError("unauthorized", "no acting principal was passed")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"role '{principal.role}' may not do this (needs {', '.join(roles)})")
