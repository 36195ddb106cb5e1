"""Logins, tokens and who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.accounts import service
from gateway.accounts.schemas import Me, RefreshRequest, TokenPair, TokenRequest, WeChatLogin
from gateway.deps import CurrentUser, SettingsDep
from gateway.problems import doc, problems
from gateway.ratelimit import client_ip, limit
from plumbing.db import SessionDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post(
    "/auth/token",
    **doc(
        TokenPair,
        "invalid_credentials",
        "account_locked",
        "rate_limited",
        "validation_failed",
        auth=False,
    ),
)
async def staff_login(
    body: TokenRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> TokenPair:
    """Staff login with username and password (rate-limited per address and username; the
    account locks for a while after repeated wrong passwords)."""
    limit(request, "login_ip", client_ip(request))
    limit(request, "login", f"{client_ip(request)}|{body.username}")
    return await service.login(session, settings, body.username, body.password)


@router.post(
    "/auth/wechat",
    **doc(TokenPair, "invalid_credentials", "rate_limited", "validation_failed", auth=False),
)
async def worker_login(
    body: WeChatLogin, request: Request, session: SessionDep, settings: SettingsDep
) -> TokenPair:
    """Worker login with a WeChat login code (demo mode: `demo:<openid>`); rate-limited per
    address."""
    limit(request, "wechat", client_ip(request))
    return await service.wechat_login(session, settings, request.app.state.wechat, body.code)


@router.post("/auth/refresh", **doc(TokenPair, "invalid_token", "validation_failed", auth=False))
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Exchange a refresh token for a new pair; the old one is spent."""
    return await service.refresh(session, settings, body.refresh_token)


@router.post("/auth/logout", status_code=204, responses=problems("validation_failed", auth=False))
async def logout(body: RefreshRequest, session: SessionDep) -> None:
    """Revoke a refresh token (and every token rotated from the same login)."""
    await service.logout(session, body.refresh_token)


@router.get("/me", **doc(Me))
async def me(user: CurrentUser) -> Me:
    """The logged-in account: role and scope."""
    return Me(**user.model_dump(exclude={"username"}), username=user.username)
