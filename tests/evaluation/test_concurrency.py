"""Concurrent identical posts for one order on PostgreSQL: one result, one certificate."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from plumbing.db import make_engine
from services.evaluation.certificate.models import Certificate
from services.evaluation.demo import seed_demo_data
from services.evaluation.main import create_app
from services.evaluation.result.models import Result
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
