"""Turning a WeChat login code into an openid."""

from __future__ import annotations

import re
from typing import Protocol

import httpx

from plumbing.errors import DomainError

_DEMO_CODE = re.compile(r"^demo:([A-Za-z0-9_-]{1,64})$")


class WeChatProvider(Protocol):
    async def openid_for(self, code: str) -> str: ...


class DemoWeChatProvider:
    """Accepts codes `demo:<openid>`. Refused at start-up in production."""

    async def openid_for(self, code: str) -> str:
        match = _DEMO_CODE.match(code)
        if match is None:
            raise DomainError("invalid_credentials", "demo WeChat codes look like demo:<openid>")
        return "demo-" + match.group(1)


class MiniProgramProvider:
    """WeChat's code2Session exchange (jscode2session), with the app id and secret."""

    def __init__(self, client: httpx.AsyncClient, app_id: str, app_secret: str) -> None:
        self._client = client
        self._app_id = app_id
        self._app_secret = app_secret

    async def openid_for(self, code: str) -> str:
        try:
            response = await self._client.get(
                "/sns/jscode2session",
                params={
                    "appid": self._app_id,
                    "secret": self._app_secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
            )
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DomainError(
                "service_unavailable", "WeChat login is unavailable", headers={"Retry-After": "5"}
            ) from exc
        openid = data.get("openid") if isinstance(data, dict) else None
        if not openid:
            raise DomainError("invalid_credentials", "WeChat did not accept the login code")
        return str(openid)
