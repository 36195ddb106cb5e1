"""Catalogue use cases: browse, look up the applicable subsidy standard, load reference data."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.errors import DomainError
from plumbing.ids import units
from plumbing.pagination import Page
from services.institutions.catalogue import repository
from services.institutions.catalogue.models import CatalogueItem, Unit
from services.institutions.catalogue.schemas import CatalogueItemPublic, UnitList, UnitPublic


async def list_items(
    session: AsyncSession,
    *,
    catalogue: str | None,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> Page[CatalogueItemPublic]:
    """A page of catalogue items."""
    rows, total = await repository.list_items(
        session,
        catalogue=catalogue,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )
    items = [CatalogueItemPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def lookup(session: AsyncSession, occupation_code: str, level: int) -> CatalogueItemPublic:
    """The item whose subsidy standard applies to an occupation and level."""
    # PLAN §二.(二).10: the key-industry catalogue guides subsidies; the general one is the
    # fallback, so a trade in both is subsidised at its key-industry standard.
    item = await repository.get_applicable(session, occupation_code, level)
    if item is None:
        raise DomainError(
            "not_in_catalogue",
            f"{occupation_code} level {level} is in neither training catalogue",
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
    """Insert the catalogue items and units that are missing; returns how many were added.
    Existing rows are left alone, so edits made in production survive a restart."""
    items = read_catalogue_csv(catalogue_csv)
    added = await repository.insert_missing(
        session, CatalogueItem, items, ["catalogue", "occupation_code", "level"]
    )
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
