"""Catalogue use cases: browse as of a date, look up the applicable subsidy standard, seed."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today
from plumbing.errors import DomainError
from plumbing.ids import units
from plumbing.pagination import Page
from services.institutions.catalogue import repository
from services.institutions.catalogue.models import CatalogueItem, CatalogueVersion, Unit
from services.institutions.catalogue.schemas import CatalogueItemPublic, UnitList, UnitPublic

# The seed catalogue is version 1, in force since the plan's year (PLAN §二.(二).10).
SEED_EFFECTIVE_ON = dt.date(2019, 1, 1)


async def version_number(session: AsyncSession, as_of: dt.date | None) -> int:
    """The number of the version in force on `as_of` (today in Jining by default)."""
    day = as_of or shanghai_today()
    version = await repository.version_in_force(session, day)
    if version is None:
        raise DomainError(
            "not_in_catalogue", f"no catalogue version was in force on {day}", as_of=str(day)
        )
    return version.number


async def list_items(
    session: AsyncSession,
    *,
    as_of: dt.date | None,
    version: int | None,
    catalogue: str | None,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> Page[CatalogueItemPublic]:
    """A page of the catalogue items in force on a date (or of one version)."""
    number = version if version is not None else await version_number(session, as_of)
    rows, total = await repository.list_items(
        session,
        version=number,
        catalogue=catalogue,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )
    items = [CatalogueItemPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def lookup(
    session: AsyncSession, occupation_code: str, level: int, as_of: dt.date | None = None
) -> CatalogueItemPublic:
    """The item whose subsidy standard applies to an occupation and level on a date."""
    # PLAN §二.(二).10: the key-industry catalogue guides subsidies; the general one is the
    # fallback, so a trade in both is subsidised at its key-industry standard.
    number = await version_number(session, as_of)
    item = await repository.get_applicable(session, occupation_code, level, number)
    if item is None:
        raise DomainError(
            "not_in_catalogue",
            f"{occupation_code} level {level} is in neither training catalogue"
            + (f" on {as_of}" if as_of else ""),
            occupation_code=occupation_code,
            level=level,
        )
    return CatalogueItemPublic.model_validate(item)


async def list_units(session: AsyncSession) -> UnitList:
    """The units of Jining with their 2019 quotas."""
    rows = [UnitPublic.model_validate(u) for u in await repository.list_units(session)]
    return UnitList(items=rows, total=len(rows), quota_2019_total=sum(u.quota_2019 for u in rows))


def read_catalogue_csv(path: Path) -> list[dict[str, Any]]:
    """Rows of the catalogue file as column values (the `note` column is documentation)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {
                "catalogue": row["catalogue"].strip(),
                "occupation_code": row["occupation_code"].strip(),
                "occupation_name": row["occupation_name"].strip(),
                "level": int(row["level"]),
                "training_types": [t.strip() for t in row["training_types"].split("|") if t],
                "standard_hours": int(row["standard_hours"]),
                "subsidy_fen": int(row["subsidy_fen"]),
                "industry": row["industry"].strip() or None,
            }
            for row in csv.DictReader(fh)
        ]


async def load_reference_data(session: AsyncSession, catalogue_csv: Path) -> int:
    """Make the seed catalogue version 1 if there is no version yet, and insert missing units;
    returns how many rows were added. Later versions are only ever published by government,
    so edits made in production survive a restart."""
    added = 0
    if await repository.count_versions(session) == 0:
        items = read_catalogue_csv(catalogue_csv)
        # ON CONFLICT DO NOTHING on the version number: when two processes seed at once, only
        # the one that created version 1 inserts its items.
        created = await repository.insert_missing(
            session,
            CatalogueVersion,
            [
                {
                    "number": 1,
                    "effective_on": SEED_EFFECTIVE_ON,
                    "note": "seed catalogue (data/catalogue-jining.csv)",
                    "source": "seed",
                    "added": len(items),
                    "changed": 0,
                    "retired": 0,
                    "published_at": dt.datetime.now(dt.UTC),
                }
            ],
            ["number"],
        )
        if created:
            for item in items:
                repository.add(session, CatalogueItem(**item, since_version=1))
            await session.flush()
            added += len(items)
    unit_rows = [
        {
            "code": u.code,
            "name_zh": u.name_zh,
            "name_en": u.name_en,
            "kind": u.kind,
            "gb2260": u.gb2260,
            "quota_2019": u.quota_2019,
        }
        for u in units().values()
    ]
    added += await repository.insert_missing(session, Unit, unit_rows, ["code"])
    await session.commit()
    return added
