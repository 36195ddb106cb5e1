"""Demo data (JINENG_DEMO=1): the evaluation body the gateway's demo `evaluator` is bound to,
accredited for every trade and level of the first evaluation catalogue."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import utcnow
from services.evaluation.body.models import BodyScope, EvaluationBody
from services.evaluation.catalogue.seed import first_version_entries, seed_catalogue

DEMO_BODY_ID = 1
DEMO_BODY_NAME = "济宁市职业技能鉴定指导中心（演示）"


async def seed_demo_data(session: AsyncSession) -> None:
    """Create evaluation body 1 unless a body with id 1 exists, and give it the scope of the
    first catalogue (the demo flow evaluates elderly care); safe to run on every start."""
    await seed_catalogue(session)
    now = utcnow()
    values = dict(
        id=DEMO_BODY_ID,
        name=DEMO_BODY_NAME,
        kind="third_party",
        status="active",
        is_demo=True,
        created_at=now,
        updated_at=now,
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # ON CONFLICT DO NOTHING: two processes starting at once cannot both insert it.
    await session.execute(
        insert(EvaluationBody).values(**values).on_conflict_do_nothing(index_elements=["id"])
    )
    if dialect == "postgresql":
        # An explicit id leaves the sequence behind; move it past the existing ids.
        await session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('evaluation_bodies', 'id'),"
                " (SELECT MAX(id) FROM evaluation_bodies))"
            )
        )
    scope = await first_version_entries(session)
    await session.execute(
        insert(BodyScope)
        .values([{"body_id": DEMO_BODY_ID, "occupation_code": c, "level": lv} for c, lv in scope])
        .on_conflict_do_nothing(index_elements=["body_id", "occupation_code", "level"])
    )
    await session.commit()
