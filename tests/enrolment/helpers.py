"""Principals, valid identifiers and request bodies for the enrolment tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient, Response

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
from tests.support import as_

CITY = Principal(id=900, role="government", username="city-officer")
RENCHENG = Principal(id=901, role="government", username="rencheng-officer", unit_code="rencheng")
YANZHOU = Principal(id=902, role="government", username="yanzhou-officer", unit_code="yanzhou")
INSTITUTION = Principal(id=800, role="institution", institution_id=1)
OTHER_INSTITUTION = Principal(id=801, role="institution", institution_id=2)
FINANCE = Principal(id=700, role="finance", username="finance-officer")
FINANCE_2 = Principal(id=701, role="finance", username="finance-officer-2")
EVALUATOR = Principal(id=600, role="evaluator", evaluation_body_id=1)
ADMIN = Principal(id=1, role="admin")
PROBLEM = "application/problem+json"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def worker(n: int) -> Principal:
    return Principal(id=n, role="worker")


def id_number(serial: int, birth: str = "19900101", region: str = "370811") -> str:
    """A valid GB 11643 number; the serial's last digit is odd for a man, even for a woman."""
    first17 = f"{region}{birth}{serial % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]


def profile_body(serial: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": id_number(serial),
        "name": "王小明",
        "phone": "13812345678",
        "unit_code": "rencheng",
        "group": "unemployed",
        "receives_pension": False,
    }
    return body | overrides


def offering_body(**overrides: Any) -> dict[str, Any]:
    today = shanghai_today()
    body: dict[str, Any] = {
        "institution_id": 1,
        "institution_name": "济宁市技工学校",
        "occupation_code": "4-10-01-05",
        "occupation_name": "养老护理员",
        "level": 5,
        "unit_code": "rencheng",
        "capacity": 30,
        "hours": 80,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=20)).isoformat(),
        "subsidy_fen": 150_000,
        "catalogue_item_id": 7,
    }
    return body | overrides


def problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json answer with this status and code; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def make_profile(
    client: AsyncClient, who: Principal, serial: int | None = None, **kw: Any
) -> dict[str, Any]:
    response = await client.put(
        "/v1/workers/me/profile", json=profile_body(serial or who.id, **kw), headers=as_(who)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def make_offering(client: AsyncClient, by: Principal = CITY, **kw: Any) -> dict[str, Any]:
    response = await client.post("/v1/offerings", json=offering_body(**kw), headers=as_(by))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def select(client: AsyncClient, who: Principal, offering_id: int, **kw: Any) -> Response:
    return await client.post(
        "/v1/orders", json={"offering_id": offering_id, **kw}, headers=as_(who)
    )


async def make_order(
    client: AsyncClient, who: Principal, offering: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    """A worker with a profile holding a `selected` order (on a new offering unless given)."""
    await make_profile(client, who)
    offering = offering or await make_offering(client, **kw)
    response = await select(client, who, offering["id"])
    assert response.status_code == 201, response.text
    return dict(response.json())


async def advance(
    client: AsyncClient,
    order_id: int,
    to: str,
    worker_: Principal | None = None,
    *,
    confirmed: bool = True,
    first_day: int = 0,
) -> dict[str, Any]:
    """Drive a `selected` order to `accepted`, `completed`, `certified` or `claimed`; a
    certified order's delivery is confirmed by its worker unless `confirmed=False`."""
    steps = ["accepted", "completed", "certified", "claimed"]
    result: dict[str, Any] = {}
    for step in steps[: steps.index(to) + 1]:
        if step == "accepted":
            r = await client.post(f"/v1/orders/{order_id}/accept", headers=as_(INSTITUTION))
        elif step == "completed":
            # 8 days of 8 hours from `first_day` on: 80 % of the 80 hours, no anomaly (a
            # second order of the same worker starts later, or the days overlap)
            for day in range(first_day, first_day + 8):
                on = (shanghai_today() + dt.timedelta(days=day)).isoformat()
                r = await client.post(
                    f"/v1/orders/{order_id}/attendance",
                    json={"on": on, "hours": 8, "channel": "classroom"},
                    headers=as_(INSTITUTION),
                )
                assert r.status_code == 201, r.text
            r = await client.post(f"/v1/orders/{order_id}/complete", headers=as_(INSTITUTION))
        elif step == "certified":
            r = await client.post(
                f"/v1/orders/{order_id}/evaluation",
                json={
                    "passed": True,
                    "certificate_number": f"C{order_id:08d}",
                    "result_id": order_id,
                },
                headers=as_(EVALUATOR),
            )
        else:
            r = await client.post(f"/v1/orders/{order_id}/claims", headers=as_(INSTITUTION))
            assert r.status_code == 201, r.text
            return dict(r.json())
        assert r.status_code == 200, r.text
        result = dict(r.json())
        if step == "certified" and confirmed:
            result = await confirm(client, order_id)
    return result


async def confirm(client: AsyncClient, order_id: int) -> dict[str, Any]:
    """The order's worker confirms the training was delivered."""
    order = (await client.get(f"/v1/orders/{order_id}", headers=as_(CITY))).json()
    r = await client.post(f"/v1/orders/{order_id}/confirm", headers=as_(worker(order["worker_id"])))
    assert r.status_code == 200, r.text
    return dict(r.json())
