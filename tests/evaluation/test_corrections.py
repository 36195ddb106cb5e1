"""Published results are immutable: a correction is a new revision with a reason."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from plumbing.principal import Principal
from tests.evaluation.conftest import (
    EVALUATOR,
    GOVERNMENT,
    WORKER,
    as_read,
    record,
    result_body,
)
from tests.support import as_


async def correct(
    client: AsyncClient,
    result_id: object,
    expect: int = 201,
    who: Principal = EVALUATOR,
    **body: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/results/{result_id}/corrections", json=body, headers=as_(who)
    )
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()
    return data


async def history(client: AsyncClient, order_id: int) -> list[dict[str, Any]]:
    page = await client.get("/v1/results", params={"order_id": order_id}, headers=as_(GOVERNMENT))
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def entitlements(client: AsyncClient, order_id: int) -> list[dict[str, Any]]:
    page = await client.get(
        "/v1/entitlements", params={"order_id": order_id}, headers=as_(GOVERNMENT)
    )
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_pass_corrected_to_another_pass_keeps_its_certificate(client: AsyncClient) -> None:
    first = await record(client, result_body(4001, passed=True, score=70))
    second = await correct(client, first["id"], score=78, reason="实操评分表漏计一项")
    assert second["revision"] == 2
    assert second["corrects_id"] == first["id"]
    assert second["correction_reason"] == "实操评分表漏计一项"
    assert second["certificate_number"] == first["certificate_number"]
    revisions = await history(client, 4001)
    assert [r["score"] for r in revisions] == [70, 78]
    assert revisions[0] == as_read(first)  # the published result is untouched
    verified = await client.get(f"/v1/certificates/{first['certificate_number']}")
    assert verified.json()["status"] == "valid"
    assert [e["status"] for e in await entitlements(client, 4001)] == ["open"]


async def test_a_pass_corrected_to_a_fail_revokes_certificate_and_entitlement(
    client: AsyncClient,
) -> None:
    first = await record(client, result_body(4101, passed=True, score=66))
    failed = await correct(
        client, first["id"], passed=False, score=52, reason="复核发现理论试卷代答"
    )
    assert failed["passed"] is False
    assert failed["certificate_number"] is None
    verified = await client.get(f"/v1/certificates/{first['certificate_number']}")
    assert verified.json()["status"] == "revoked"
    [entitlement] = await entitlements(client, 4101)
    assert entitlement["status"] == "cancelled"
    assert "复核发现理论试卷代答" in entitlement["cancelled_reason"]
    assert [r["passed"] for r in await history(client, 4101)] == [True, False]


async def test_a_fail_corrected_to_a_pass_issues_certificate_and_entitlement(
    client: AsyncClient,
) -> None:
    first = await record(client, result_body(4201, passed=False, score=58))
    assert await entitlements(client, 4201) == []
    passed = await correct(client, first["id"], score=61, reason="合分错误")
    assert passed["passed"] is True
    number = passed["certificate_number"]
    assert (await client.get(f"/v1/certificates/{number}")).json()["status"] == "valid"
    [entitlement] = await entitlements(client, 4201)
    assert (entitlement["status"], entitlement["result_id"]) == ("open", passed["id"])
    mine = await client.get("/v1/certificates", headers=as_(WORKER))
    assert [c["number"] for c in mine.json()["items"]] == [number]


async def test_only_the_latest_revision_is_corrected(client: AsyncClient) -> None:
    first = await record(client, result_body(4301, passed=True, score=70))
    await correct(client, first["id"], score=72, reason="a")
    stale = await correct(client, first["id"], expect=409, score=74, reason="b")
    assert stale["code"] == "conflict"
    assert len(await history(client, 4301)) == 2


async def test_reposting_different_content_is_no_correction(client: AsyncClient) -> None:
    await record(client, result_body(4401, passed=True, score=70))
    response = await client.post(
        "/v1/results", json=result_body(4401, passed=True, score=90), headers=as_(EVALUATOR)
    )
    assert response.status_code == 409
    assert "correction" in response.json()["detail"]


async def test_a_correction_needs_a_reason_and_the_same_body(client: AsyncClient) -> None:
    first = await record(client, result_body(4501, passed=True, score=70))
    missing = await correct(client, first["id"], expect=422, score=72)
    assert missing["code"] == "validation_failed"
    stranger = Principal(id=799, role="evaluator", evaluation_body_id=2)
    hidden = await correct(client, first["id"], expect=404, who=stranger, score=72, reason="x")
    assert hidden["code"] == "not_found"
    denied = await correct(client, first["id"], expect=403, who=GOVERNMENT, score=72, reason="x")
    assert denied["code"] == "forbidden"
    contradicting = await correct(
        client, first["id"], expect=422, passed=True, score=40, reason="x"
    )
    assert contradicting["code"] == "validation_failed"
    assert len(await history(client, 4501)) == 1


async def test_an_authoritys_revocation_survives_corrections(client: AsyncClient) -> None:
    first = await record(client, result_body(4601, passed=True, score=70))
    number = first["certificate_number"]
    revoked = await client.post(
        f"/v1/certificates/{number}/revoke", json={"reason": "替考"}, headers=as_(GOVERNMENT)
    )
    assert revoked.status_code == 200
    # The entitlement rests on the certificate: it goes with it.
    [entitlement] = await entitlements(client, 4601)
    assert entitlement["status"] == "cancelled"
    assert "替考" in entitlement["cancelled_reason"]
    failed = await correct(client, first["id"], passed=False, score=50, reason="复核")
    back = await correct(client, failed["id"], expect=409, score=70, reason="再复核")
    assert back["code"] == "certificate_revoked"
    assert back["certificate_number"] == number
    assert [r["revision"] for r in await history(client, 4601)] == [1, 2]
    assert (await client.get(f"/v1/certificates/{number}")).json()["status"] == "revoked"
