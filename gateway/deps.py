"""Authentication and authorisation dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.accounts.security import decode_access_token
from gateway.config import Settings
from plumbing.errors import DomainError, Forbidden
from plumbing.principal import Principal

_bearer = HTTPBearer(auto_error=False, description="Access token from /auth/token or /auth/wechat")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def current_user(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise DomainError("unauthorized", "log in first", headers={"WWW-Authenticate": "Bearer"})
    principal = decode_access_token(settings, credentials.credentials)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def roles(*allowed: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only these roles through."""

    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                f"role '{principal.role}' may not do this (needs {' or '.join(allowed)})"
            )
        return principal

    return check


Worker = Annotated[Principal, Depends(roles("worker"))]
Government = Annotated[Principal, Depends(roles("government", "admin"))]
InstitutionStaff = Annotated[Principal, Depends(roles("institution"))]
Finance = Annotated[Principal, Depends(roles("finance"))]
Evaluator = Annotated[Principal, Depends(roles("evaluator"))]
Staff = Annotated[Principal, Depends(roles("institution", "government", "finance", "admin"))]
OrderReader = Annotated[
    Principal,
    Depends(roles("worker", "institution", "government", "finance", "evaluator", "admin")),
]


def check_unit_scope(principal: Principal, unit_code: str) -> None:
    """A county officer acts only in their own unit; city officers act everywhere."""
    if principal.role == "government" and principal.unit_code not in (None, unit_code):
        raise Forbidden(f"this account acts only for unit '{principal.unit_code}'")
