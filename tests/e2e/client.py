"""A thin client for driving the public API as the app, WeChat and staff front ends do."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from typing import Any

import httpx
from stdnum.cn import ric

from plumbing.clock import shanghai_today
from plumbing.ids import credit_code_check_char

PASSWORD = "jineng-demo"
ELDERLY_CARE = "4-10-01-05"
ELECTRICIAN = "6-31-01-03"
_serial = itertools.count(1)
# Not the `random` module: hypothesis seeds it alike in every example of a property test
# (tests/e2e/test_stateful.py), which would repeat credit codes and phone numbers.
_random = random.SystemRandom()


def id_number(birth: dt.date = dt.date(1990, 1, 1), region: str = "370811") -> str:
    """A valid GB 11643 ID number, unique within a test run."""
    body = f"{region}{birth:%Y%m%d}{next(_serial) % 1000:03d}"
    # stdnum's calc_check_digit reads the first 17 of 18 characters; the 18th is a stand-in.
    return body + ric.calc_check_digit(body + "0")


def credit_code() -> str:
    first = f"52370800MJ{_random.randint(0, 9999999):07d}"
    return first + credit_code_check_char(first)


class Api:
    """One logged-in caller."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def call(
        self, method: str, path: str, expect: int | None = None, **kw: Any
    ) -> httpx.Response:
        headers = self.headers | kw.pop("headers", {})
        response = await self.http.request(method, "/api/v1" + path, headers=headers, **kw)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text}"
            )
        return response

    async def ok(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        return (await self.call(method, path, expect=expect, **kw)).json()


async def staff(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> Api:
    response = await http.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return Api(http, response.json()["access_token"])


async def worker(
    http: httpx.AsyncClient,
    *,
    unit_code: str = "rencheng",
    pension: bool = False,
    name: str = "王小明",
    phone: str | None = None,
) -> Api:
    """A worker logged in through the demo WeChat provider, with a real-name profile."""
    openid = uuid.uuid4().hex[:20]
    response = await http.post("/api/v1/auth/wechat", json={"code": f"demo:{openid}"})
    assert response.status_code == 200, response.text
    api = Api(http, response.json()["access_token"])
    await api.ok(
        "PUT",
        "/me/profile",
        json={
            "id_number": id_number(),
            "name": name,
            "phone": phone or f"139{_random.randint(0, 99_999_999):08d}",
            "unit_code": unit_code,
            "group": "unemployed",
            "receives_pension": pension,
        },
    )
    return api


async def institution_with_clerk(
    officer: Api, approvals: list[tuple[str, int]], unit_code: str = "rencheng"
) -> tuple[int, Api]:
    """Register an institution and log in one of its staff."""
    inst = await officer.ok(
        "POST",
        "/institutions",
        expect=201,
        json={
            "name": f"济宁职业培训学校{uuid.uuid4().hex[:6]}",
            "credit_code": credit_code(),
            "kind": "private",
            "unit_code": unit_code,
            "approvals": [{"occupation_code": c, "level": lv} for c, lv in approvals],
        },
    )
    username = f"clerk-{uuid.uuid4().hex[:8]}"
    await officer.ok(
        "POST",
        f"/institutions/{inst['id']}/staff",
        expect=201,
        json={"username": username, "password": "clerk-password-123"},
    )
    return inst["id"], await staff(officer.http, username, "clerk-password-123")


async def list_offering(
    officer: Api,
    institution_id: int,
    occupation_code: str = ELDERLY_CARE,
    level: int = 5,
    capacity: int = 30,
    hours: int = 40,
    unit_code: str = "rencheng",
    **extra: Any,
) -> dict[str, Any]:
    today = shanghai_today()
    result: dict[str, Any] = await officer.ok(
        "POST",
        "/offerings",
        expect=201,
        json={
            "institution_id": institution_id,
            "occupation_code": occupation_code,
            "level": level,
            "unit_code": unit_code,
            "capacity": capacity,
            "hours": hours,
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=30)).isoformat(),
            **extra,
        },
    )
    return result


async def approved_class_plan(clerk: Api, officer: Api, offering: dict[str, Any]) -> dict[str, Any]:
    """The institution files the offering's class-start plan (its accepted orders are the
    roster) and government approves it: attendance is refused until then."""
    starts = dt.date.fromisoformat(offering["starts_on"])
    days = -(-offering["hours"] // 8)
    sessions = [
        {"on": (starts + dt.timedelta(days=i)).isoformat(), "hours": 8} for i in range(days)
    ]
    await clerk.ok(
        "POST",
        f"/offerings/{offering['id']}/class-plan",
        json={
            "teaching_plan": "理论与实操结合，按国家职业技能标准授课",
            "trainers": [{"name": "李红", "certificate_number": "S370800202100123"}],
            "sessions": sessions,
        },
    )
    plan: dict[str, Any] = await officer.ok(
        "POST", f"/offerings/{offering['id']}/class-plan/approve"
    )
    assert plan["status"] == "approved"
    return plan


async def attend(
    clerk: Api,
    order_id: int,
    hours: float,
    *,
    on: dt.date | str | None = None,
    channel: str = "classroom",
) -> dict[str, Any]:
    """One attendance record through the contract route (classroom by the institution's
    clerk, or an online channel by the worker). Every e2e test records attendance here."""
    day = on if on is not None else shanghai_today()
    result: dict[str, Any] = await clerk.ok(
        "POST",
        f"/orders/{order_id}/attendance",
        expect=201,
        json={"on": str(day), "hours": hours, "channel": channel},
    )
    return result


async def train(clerk: Api, order_id: int, hours: float, per_day: float = 8) -> None:
    """Classroom attendance totalling `hours`, at most `per_day` a day from today, so no
    day exceeds the daily-hours anomaly threshold."""
    day = 0
    while hours > 1e-9:
        chunk = min(per_day, hours)
        await attend(clerk, order_id, chunk, on=shanghai_today() + dt.timedelta(days=day))
        hours -= chunk
        day += 1


async def confirm_delivery(learner: Api, order_id: int) -> dict[str, Any]:
    """The worker confirms in the app that the training was delivered (before any claim)."""
    result: dict[str, Any] = await learner.ok("POST", f"/orders/{order_id}/confirm")
    return result


async def review_and_approve(http: httpx.AsyncClient, claim_id: int) -> dict[str, Any]:
    """Order 5's two government steps, by two different officers: `rencheng-officer` reviews
    (the stack runs with JINENG_PUBLIC_NOTICE_DAYS=0, so no public notice), `city-officer`
    approves."""
    reviewer = await staff(http, "rencheng-officer")
    approver = await staff(http, "city-officer")
    reviewed = await reviewer.ok("POST", f"/claims/{claim_id}/review")
    assert reviewed["status"] == "reviewed", reviewed
    approved: dict[str, Any] = await approver.ok("POST", f"/claims/{claim_id}/approve")
    return approved
