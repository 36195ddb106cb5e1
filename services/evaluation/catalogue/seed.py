"""The first evaluation catalogue, from data/evaluation-catalogue-jining.csv (sample figures)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import utcnow
from plumbing.settings import REPO_ROOT
from services.evaluation.catalogue.models import CatalogueEntry, CatalogueVersion

CATALOGUE_CSV = REPO_ROOT / "data" / "evaluation-catalogue-jining.csv"
# The plan runs 2019–2021: the first version is in force from its start.
FIRST_EFFECTIVE_ON = dt.date(2019, 1, 1)


def read_entries(path: Path = CATALOGUE_CSV) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [
            {
                "occupation_code": row["occupation_code"],
                "occupation_name": row["occupation_name"],
                "level": int(row["level"]),
                "theory_pass_mark": int(row["theory_pass_mark"]),
                "practical_pass_mark": int(row["practical_pass_mark"]),
                "subsidy_fen": int(row["subsidy_fen"]),
            }
            for row in csv.DictReader(fh)
        ]


async def seed_catalogue(session: AsyncSession, path: Path = CATALOGUE_CSV) -> None:
    """Load the first version unless a version for its date exists; safe on every start."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # ON CONFLICT DO NOTHING: two processes starting at once cannot both load it.
    inserted = (
        await session.execute(
            insert(CatalogueVersion)
            .values(
                effective_on=FIRST_EFFECTIVE_ON,
                note=f"initial catalogue ({path.name}; sample figures)",
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["effective_on"])
            .returning(col(CatalogueVersion.id))
        )
    ).scalar_one_or_none()
    if inserted is not None:
        await session.execute(
            insert(CatalogueEntry), [{"version_id": inserted, **e} for e in read_entries(path)]
        )
    await session.commit()


async def first_version_entries(session: AsyncSession) -> list[tuple[str, int]]:
    """(occupation_code, level) of the first version: the demo body's scope."""
    stmt = (
        select(col(CatalogueEntry.occupation_code), col(CatalogueEntry.level))
        .join(CatalogueVersion, col(CatalogueVersion.id) == col(CatalogueEntry.version_id))
        .where(col(CatalogueVersion.effective_on) == FIRST_EFFECTIVE_ON)
    )
    return [(r[0], r[1]) for r in (await session.execute(stmt)).all()]
