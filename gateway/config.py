"""Gateway settings (JINENG_* environment variables)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from gateway.transport import DEFAULT_CLIENT, ClientKind
from plumbing.settings import DEFAULT_JWT_SECRET, CommonSettings


class Settings(CommonSettings):
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_issuer: str = "jineng-gateway"
    jwt_audience: str = "jineng-api"
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 14 * 24 * 3600

    institutions_url: str = "http://127.0.0.1:8001"
    enrolment_url: str = "http://127.0.0.1:8002"
    evaluation_url: str = "http://127.0.0.1:8003"
    # The HTTP client library for the calls to the services (gateway/transport.py).
    http_client: ClientKind = DEFAULT_CLIENT
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    retry_after_s: int = 5

    # "demo" accepts codes "demo:<openid>" (refused in production); "wechat" exchanges the
    # code with WeChat's jscode2session endpoint.
    wechat_provider: Literal["demo", "wechat"] = "demo"
    wechat_app_id: str = ""
    wechat_app_secret: SecretStr = SecretStr("")
    wechat_api_base: str = "https://api.weixin.qq.com"

    # Abuse limits: hits per `rate_window_s` per key (login: per IP and username; WeChat login:
    # per IP; profile changes: per account). Lockout after `lockout_failures` wrong passwords.
    rate_window_s: float = 60.0
    rate_login: int = 10
    rate_login_ip: int = 100  # all usernames from one address (password spraying)
    rate_wechat: int = 60
    rate_profile: int = 10
    lockout_failures: int = 5
    lockout_s: int = 900
    # Circuit breaker per downstream service: open after this many transport failures in a
    # row, then refuse at once for `breaker_open_s` before letting one probe through.
    breaker_failures: int = 5
    breaker_open_s: float = 10.0
    # Request bodies: JSON at most `max_body_bytes`; multipart uploads (the catalogue file,
    # itself capped at 5 MiB) at most `max_upload_bytes`. Larger is 413 payload_too_large.
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 6 * 1024 * 1024

    demo_password: SecretStr = SecretStr("jineng-demo")

    def default_secrets(self) -> dict[str, bool]:
        return {
            "JINENG_JWT_SECRET": self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET,
            "JINENG_WECHAT_PROVIDER (the demo provider)": self.wechat_provider == "demo",
        }
