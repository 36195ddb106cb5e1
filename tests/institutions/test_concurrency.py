"""Racing requests with real commits: the database decides, not a prior read."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from plumbing.clock import shanghai_today
from plumbing.principal import Principal
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


async def test_racing_catalogue_versions_publish_once(backend: str, database_factory: Any) -> None:
    url = await database_factory("institutions", backend)
    today = shanghai_today().isoformat()

    def version(i: int) -> dict[str, Any]:
        item = {
            "catalogue": "general",
            "occupation_code": "4-03-02-01",
            "occupation_name": "中式烹调师",
            "level": 5,
            "training_types": ["employment_skills"],
            "standard_hours": 80,
            "subsidy_fen": 100000 + i,
        }
        return {"effective_on": today, "items": [item]}

    async with committed_client(create_app(db_url=url), url, CITY) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/catalogue/versions", json=version(i)) for i in range(8))
        )
        # Serialised writers (SQLite) publish one after the other; racing ones (PostgreSQL)
        # collide on the version number and the losers change nothing.
        published = sorted(r.json()["number"] for r in responses if r.status_code == 201)
        refused = [r.json()["code"] for r in responses if r.status_code != 201]
        assert set(refused) <= {"conflict"}
        assert published == list(range(1, len(published) + 1))
        assert len(published) + len(refused) == 8
        versions = (await client.get("/v1/catalogue/versions")).json()
        assert versions["total"] == len(published)
        items = (await client.get("/v1/catalogue/items")).json()
        assert items["total"] == 1  # exactly one current row, from the last version
        assert items["items"][0]["since_version"] == published[-1]


async def test_racing_plan_decisions_decide_once(backend: str, database_factory: Any) -> None:
    url = await database_factory("institutions", backend)
    async with committed_client(create_app(db_url=url), url, CITY) as client:
        iid = (await client.post("/v1/institutions", json=institution_body(3))).json()["id"]
        clerk = Principal(id=900, role="institution", institution_id=iid)
        start = shanghai_today()
        filed = await client.put(
            "/v1/class-plans/5",
            json={
                "institution_id": iid,
                "unit_code": "rencheng",
                "offering_starts_on": start.isoformat(),
                "offering_ends_on": start.isoformat(),
                "offering_hours": 8,
                "teaching_plan": "实操",
                "trainers": [{"name": "李红", "certificate_number": "S3708001"}],
                "sessions": [{"on": start.isoformat(), "hours": 8}],
                "roster": [{"order_id": 1, "worker_id": 1, "worker_name_masked": "王*"}],
            },
            headers=as_(clerk),
        )
        assert filed.status_code == 200, filed.text
        responses = await asyncio.gather(
            *(
                client.post("/v1/class-plans/5/approve")
                if i % 2
                else client.post("/v1/class-plans/5/return", json={"reason": "race"})
                for i in range(8)
            )
        )
        assert sorted(r.status_code for r in responses) == [200] + [409] * 7
        final = (await client.get("/v1/class-plans/5")).json()["status"]
        events = (await client.get(f"/v1/institutions/{iid}/events")).json()["items"]
        decided = [e["action"] for e in events if e["action"].startswith("class_plan_")]
        assert decided == ["class_plan_filed", f"class_plan_{final}"]
