"""Rate limits on logins and profile changes, lockout after wrong passwords (issue 9, item 5)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from gateway.config import Settings
from gateway.ratelimit import RateLimiter
from plumbing.errors import DomainError
from tests.gateway.conftest import login, worker_login

PROBLEM = "application/problem+json"


def test_sliding_window_refuses_then_lets_through_again() -> None:
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    for _ in range(3):
        limiter.hit("login", "k", limit=3, window_s=60)
    with pytest.raises(DomainError) as refused:
        limiter.hit("login", "k", limit=3, window_s=60)
    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == "60"
    limiter.hit("login", "other-key", limit=3, window_s=60)  # keys count apart
    now[0] += 59.5
    with pytest.raises(DomainError) as still:
        limiter.hit("login", "k", limit=3, window_s=60)
    assert still.value.headers["Retry-After"] == "1"
    now[0] += 0.5
    limiter.hit("login", "k", limit=3, window_s=60)


async def test_login_rate_limit_is_429_problem_with_retry_after(
    gw: AsyncClient, gateway_settings: Settings
) -> None:
    gateway_settings.rate_login = 3
    for _ in range(3):
        response = await gw.post(
            "/api/v1/auth/token", json={"username": "ghost", "password": "nope"}
        )
        assert response.status_code == 401
    refused = await gw.post("/api/v1/auth/token", json={"username": "ghost", "password": "nope"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Another username from the same address is counted apart (the lockout guards accounts).
    other = await gw.post("/api/v1/auth/token", json={"username": "ghost2", "password": "nope"})
    assert other.status_code == 401


async def test_password_spraying_from_one_address_is_limited(
    gw: AsyncClient, gateway_settings: Settings
) -> None:
    gateway_settings.rate_login_ip = 3
    for n in range(3):
        response = await gw.post(
            "/api/v1/auth/token", json={"username": f"user-{n}", "password": "Winter2026"}
        )
        assert response.status_code == 401
    refused = await gw.post(
        "/api/v1/auth/token", json={"username": "user-9", "password": "Winter2026"}
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"


async def test_wechat_login_rate_limit(gw: AsyncClient, gateway_settings: Settings) -> None:
    gateway_settings.rate_wechat = 2
    await worker_login(gw, "rl-1")
    await worker_login(gw, "rl-2")
    refused = await gw.post("/api/v1/auth/wechat", json={"code": "demo:rl-3"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "retry-after" in refused.headers


async def test_profile_changes_are_rate_limited_per_account(
    gw: AsyncClient, gateway_settings: Settings
) -> None:
    gateway_settings.rate_profile = 2
    first = await worker_login(gw, "rl-p1")
    second = await worker_login(gw, "rl-p2")
    profile = {
        "id_number": "370811199001011236",
        "name": "王小明",
        "phone": "13800138000",
        "unit_code": "rencheng",
        "group": "unemployed",
        "receives_pension": False,
    }
    for _ in range(2):  # the enrolment service is down here: the limit is counted first
        response = await gw.put("/api/v1/me/profile", json=profile, headers=first)
        assert response.status_code == 503
    refused = await gw.put("/api/v1/me/profile", json=profile, headers=first)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    other = await gw.put("/api/v1/me/profile", json=profile, headers=second)
    assert other.status_code == 503


async def test_lockout_after_repeated_wrong_passwords(
    gw: AsyncClient, gateway_settings: Settings
) -> None:
    settings = gateway_settings
    settings.lockout_failures = 3
    for _ in range(3):
        wrong = await gw.post(
            "/api/v1/auth/token", json={"username": "finance-officer", "password": "guess"}
        )
        assert wrong.json()["code"] == "invalid_credentials"
    # Locked: even the right password is refused until the lock runs out.
    locked = await gw.post(
        "/api/v1/auth/token", json={"username": "finance-officer", "password": "jineng-demo"}
    )
    assert locked.status_code == 423
    assert locked.headers["content-type"] == PROBLEM
    assert locked.json()["code"] == "account_locked"
    assert 1 <= int(locked.headers["retry-after"]) <= settings.lockout_s + 1
    # Other accounts are untouched.
    await login(gw, "finance-officer-2")


async def test_a_good_password_resets_the_failure_count(
    gw: AsyncClient, gateway_settings: Settings
) -> None:
    gateway_settings.lockout_failures = 3
    for _ in range(2):
        await gw.post("/api/v1/auth/token", json={"username": "evaluator", "password": "guess"})
    await login(gw, "evaluator")
    for _ in range(2):
        await gw.post("/api/v1/auth/token", json={"username": "evaluator", "password": "guess"})
    await login(gw, "evaluator")  # 2 + 2 wrong, never 3 in a row: not locked
