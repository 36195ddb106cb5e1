"""Logins, tokens, roles, and the gateway's own errors (no downstream service needed)."""

from __future__ import annotations

import datetime as dt
import warnings

import jwt
import pytest
from httpx import AsyncClient

from gateway.config import Settings
from plumbing.settings import DEFAULT_JWT_SECRET
from tests.gateway.conftest import login, worker_login

PROBLEM = "application/problem+json"


async def test_staff_login_and_me(gw: AsyncClient) -> None:
    headers = await login(gw, "rencheng-officer")
    me = await gw.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["role"] == "government"
    assert me.json()["unit_code"] == "rencheng"


@pytest.mark.parametrize(
    "username", ["city-officer", "finance-officer", "finance-officer-2", "evaluator"]
)
async def test_every_demo_account_logs_in(gw: AsyncClient, username: str) -> None:
    me = await gw.get("/api/v1/me", headers=await login(gw, username))
    assert me.json()["username"] == username


async def test_wrong_password_is_invalid_credentials(gw: AsyncClient) -> None:
    response = await gw.post(
        "/api/v1/auth/token", json={"username": "city-officer", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["title"] == "用户名或密码错误"
    assert body["request_id"]


async def test_english_titles_on_request(gw: AsyncClient) -> None:
    response = await gw.post(
        "/api/v1/auth/token",
        json={"username": "ghost", "password": "nope"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert response.json()["title"] == "Wrong username or password"


async def test_validation_errors_are_problems(gw: AsyncClient) -> None:
    response = await gw.post("/api/v1/auth/token", json={"username": ""})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {tuple(e["loc"]) for e in body["errors"]} >= {("body", "password")}


async def test_worker_wechat_login_makes_one_account(gw: AsyncClient) -> None:
    first = await gw.get("/api/v1/me", headers=await worker_login(gw, "w-1"))
    again = await gw.get("/api/v1/me", headers=await worker_login(gw, "w-1"))
    assert first.json()["role"] == "worker"
    assert first.json()["id"] == again.json()["id"]


async def test_bad_wechat_code(gw: AsyncClient) -> None:
    response = await gw.post("/api/v1/auth/wechat", json={"code": "not-a-demo-code"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_refresh_rotates_and_reuse_revokes_the_family(gw: AsyncClient) -> None:
    pair = (await gw.post("/api/v1/auth/wechat", json={"code": "demo:w-2"})).json()
    second = await gw.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert second.status_code == 200
    new_token = second.json()["refresh_token"]
    assert new_token != pair["refresh_token"]
    reuse = await gw.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "invalid_token"
    # The thief's reuse revoked the family: the legitimate newer token is dead too.
    after = await gw.post("/api/v1/auth/refresh", json={"refresh_token": new_token})
    assert after.status_code == 401


async def test_logout_revokes_refresh(gw: AsyncClient) -> None:
    pair = (await gw.post("/api/v1/auth/wechat", json={"code": "demo:w-3"})).json()
    out = await gw.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    again = await gw.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.json()["code"] == "invalid_token"


async def test_missing_token_is_unauthorized(gw: AsyncClient) -> None:
    response = await gw.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def _forge(claims: dict[str, object], key: str = DEFAULT_JWT_SECRET, alg: str = "HS256") -> str:
    base: dict[str, object] = {
        "sub": "1",
        "role": "admin",
        "iss": "jineng-gateway",
        "aud": "jineng-api",
        "iat": dt.datetime.now(dt.UTC),
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    }
    base.update(claims)
    return jwt.encode(base, key, algorithm=alg)


def _forge_hs512() -> str:
    """Signed with the right key but an algorithm outside the allow-list (PyJWT warns that the
    key is short for HS512; that is beside the point here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return _forge({}, alg="HS512")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_forge({}, key="another-secret-of-sufficient-length-0123"), id="wrong-key"),
        pytest.param(_forge({"aud": "someone-else"}), id="wrong-audience"),
        pytest.param(_forge({"iss": "someone-else"}), id="wrong-issuer"),
        pytest.param(
            _forge({"exp": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)}), id="expired"
        ),
        pytest.param(_forge_hs512(), id="algorithm-not-allowed"),
        pytest.param(
            jwt.encode({"sub": "1", "role": "admin"}, None, algorithm="none"), id="alg-none"
        ),
    ],
)
async def test_forged_tokens_are_refused(gw: AsyncClient, token: str) -> None:
    response = await gw.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_roles_are_enforced_before_any_downstream_call(gw: AsyncClient) -> None:
    worker = await worker_login(gw, "w-4")
    response = await gw.post(
        "/api/v1/offerings",
        headers=worker,
        json={
            "institution_id": 1,
            "occupation_code": "4-10-01-05",
            "level": 5,
            "unit_code": "rencheng",
            "capacity": 10,
            "hours": 40,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-10",
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_unit_officer_cannot_act_for_another_unit(gw: AsyncClient) -> None:
    officer = await login(gw, "rencheng-officer")
    response = await gw.post(
        "/api/v1/offerings",
        headers=officer,
        json={
            "institution_id": 1,
            "occupation_code": "4-10-01-05",
            "level": 5,
            "unit_code": "qufu",
            "capacity": 10,
            "hours": 40,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-10",
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"id_number": "370811199001011235"}, "invalid_id_number"),
        ({"id_number": "370811209901011230"}, "invalid_id_number"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"unit_code": "beijing"}, "unknown_unit"),
        ({"group": "astronaut"}, "validation_failed"),
    ],
)
async def test_bad_profile_never_reaches_a_service(
    gw: AsyncClient, body: dict[str, object], code: str
) -> None:
    worker = await worker_login(gw, "w-5")
    good = {
        "id_number": "11010519491231002X",
        "name": "王小明",
        "phone": "13800138000",
        "unit_code": "rencheng",
        "group": "unemployed",
        "receives_pension": False,
    }
    response = await gw.put("/api/v1/me/profile", headers=worker, json=good | body)
    assert response.status_code == 422
    assert response.json()["code"] == code


async def test_bad_credit_code_is_refused(gw: AsyncClient) -> None:
    response = await gw.post(
        "/api/v1/institutions",
        headers=await login(gw, "city-officer"),
        json={
            "name": "某某培训学校",
            "credit_code": "91350100M000100Y44",
            "kind": "private",
            "unit_code": "rencheng",
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_credit_code"


async def test_downstream_down_is_503_with_retry_after(gw: AsyncClient) -> None:
    worker = await worker_login(gw, "w-6")
    response = await gw.get("/api/v1/me/profile", headers=worker)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "service_unavailable"


async def test_pay_needs_an_idempotency_key(gw: AsyncClient) -> None:
    response = await gw.post("/api/v1/claims/1/pay", headers=await login(gw, "finance-officer"))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_pay_with_service_down_frees_the_key(gw: AsyncClient) -> None:
    finance = await login(gw, "finance-officer") | {"Idempotency-Key": "key-down-0001"}
    first = await gw.post("/api/v1/claims/1/pay", headers=finance)
    second = await gw.post("/api/v1/claims/1/pay", headers=finance)
    # Neither is a stored answer: the key stays free until the service really answers.
    assert first.status_code == second.status_code == 503


async def test_certificate_verification_needs_no_login(gw: AsyncClient) -> None:
    response = await gw.get("/api/v1/certificates/JN2026-0000001-ABCD")
    assert response.status_code == 503  # reaches for the (stopped) evaluation service


@pytest.mark.parametrize(
    "overrides",
    [
        {"demo": True},
        {"jwt_secret": DEFAULT_JWT_SECRET},
        {"internal_token": "dev-internal-token-change-me"},
        {"wechat_provider": "demo"},
    ],
)
def test_production_refuses_demo_and_default_secrets(overrides: dict[str, object]) -> None:
    safe: dict[str, object] = {
        "env": "production",
        "demo": False,
        "jwt_secret": "a-real-secret-from-the-vault-0123456789",
        "internal_token": "a-real-internal-token",
        "wechat_provider": "wechat",
    }
    Settings(**safe).check_production()  # the safe configuration starts
    with pytest.raises(RuntimeError, match="refusing to start in production"):
        Settings(**(safe | overrides)).check_production()
