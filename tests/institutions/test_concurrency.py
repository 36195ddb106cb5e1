"""Racing requests with real commits: the database decides, not a prior read."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from services.institutions.main import create_app
from tests.institutions.conftest import CITY, institution_body
from tests.support import as_, committed_client


async def test_racing_registrations_of_one_credit_code(backend: str, database_factory: Any) -> None:
    url = await database_factory("institutions", backend)
    async with committed_client(create_app(db_url=url), url, CITY) as client:
        responses = await asyncio.gather(
            *(
                client.post("/v1/institutions", json=institution_body(1, name=f"机构{i}"))
                for i in range(6)
            )
        )
        assert sorted(r.status_code for r in responses) == [201] + [409] * 5
        assert {r.json()["code"] for r in responses if r.status_code == 409} == {"conflict"}
        assert (await client.get("/v1/institutions")).json()["total"] == 1


async def test_racing_transitions_move_once(backend: str, database_factory: Any) -> None:
    url = await database_factory("institutions", backend)
    async with committed_client(create_app(db_url=url), url, CITY) as client:
        iid = (await client.post("/v1/institutions", json=institution_body(2))).json()["id"]
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/v1/institutions/{iid}/{action}", json={"reason": "race"}, headers=as_(CITY)
                )
                for action in ("suspend", "revoke") * 3
            )
        )
        ok = [r for r in responses if r.status_code == 200]
        refused = [r for r in responses if r.status_code == 409]
        assert len(ok) + len(refused) == 6
        assert all(r.json()["code"] == "invalid_state" for r in refused)
        final = (await client.get(f"/v1/institutions/{iid}")).json()["status"]
        events = (await client.get(f"/v1/institutions/{iid}/events")).json()["items"]
        # every accepted transition left exactly one event, chained from the previous state
        assert len(events) == 1 + len(ok)
        chain = [(e["from_status"], e["to_status"]) for e in events]
        assert all(a[1] == b[0] for a, b in itertools.pairwise(chain))
        assert chain[-1][1] == final == "revoked"
