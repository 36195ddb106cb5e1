"""Concurrency on PostgreSQL: identical posts for one order give one result and one
certificate; concurrent registrations never overfill a session."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col

from plumbing.clock import shanghai_today
from plumbing.db import make_engine
from services.evaluation.certificate.models import Certificate
from services.evaluation.demo import seed_demo_data
from services.evaluation.main import create_app
from services.evaluation.result.models import Result
from services.evaluation.session.models import Candidate, EvaluationSession
from tests.evaluation.conftest import EVALUATOR, result_body
from tests.support import committed_client, drop_pg_database, fresh_database


async def test_twenty_identical_posts_issue_one_certificate(postgres: str, tmp_path: Path) -> None:
    """The gateway may repeat a post while the first is in flight: UNIQUE(order_id) makes
    one win; the others wait for it, then answer with the stored result."""
    url = await fresh_database("evaluation", "postgresql", tmp_path, postgres)
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            await seed_demo_data(session)
        async with committed_client(create_app(db_url=url), url, EVALUATOR) as client:
            responses = await asyncio.gather(
                *(client.post("/v1/results", json=result_body(5001)) for _ in range(20))
            )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 19 + [201], [r.text for r in responses if r.status_code >= 300]
        numbers = {r.json()["certificate_number"] for r in responses}
        ids = {r.json()["id"] for r in responses}
        assert len(numbers) == 1
        assert None not in numbers
        assert len(ids) == 1
        async with async_sessionmaker(engine)() as session:
            certificates = (
                await session.execute(select(func.count()).select_from(Certificate))
            ).scalar_one()
            results = (await session.execute(select(func.count()).select_from(Result))).scalar_one()
        assert (certificates, results) == (1, 1)
    finally:
        await engine.dispose()
        await drop_pg_database(postgres, url)


async def test_sixty_concurrent_registrations_fill_twelve_seats(
    postgres: str, tmp_path: Path
) -> None:
    """Each registration is a conditional UPDATE on the session's seat count; the losers get
    `session_full`, and the count never passes the capacity."""
    url = await fresh_database("evaluation", "postgresql", tmp_path, postgres)
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            await seed_demo_data(session)
        async with committed_client(create_app(db_url=url), url, EVALUATOR) as client:
            scheduled = await client.post(
                "/v1/sessions",
                json={
                    "occupation_code": "4-10-01-05",
                    "level": 4,
                    "held_on": shanghai_today().isoformat(),
                    "place": "考场",
                    "capacity": 12,
                },
            )
            assert scheduled.status_code == 201, scheduled.text
            sid = scheduled.json()["id"]
            bodies = [
                {
                    "order_id": 7000 + i,
                    "worker_id": 100 + i,
                    "occupation_code": "4-10-01-05",
                    "level": 4,
                    "holder_name_masked": "王**",
                }
                for i in range(60)
            ]
            responses = await asyncio.gather(
                *(client.post(f"/v1/sessions/{sid}/candidates", json=b) for b in bodies)
            )
        outcomes = sorted((r.status_code, r.json().get("code")) for r in responses)
        assert outcomes.count((201, None)) == 12, outcomes
        assert outcomes.count((409, "session_full")) == 48, outcomes
        async with async_sessionmaker(engine)() as session:
            registered = (
                await session.execute(
                    select(col(EvaluationSession.registered)).where(
                        col(EvaluationSession.id) == sid
                    )
                )
            ).scalar_one()
            candidates = (
                await session.execute(select(func.count()).select_from(Candidate))
            ).scalar_one()
        assert (registered, candidates) == (12, 12)
    finally:
        await engine.dispose()
        await drop_pg_database(postgres, url)
