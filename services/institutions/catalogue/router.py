"""HTTP routes of the catalogues and units (open to any caller the gateway forwards)."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from services.institutions.catalogue import service
from services.institutions.catalogue.schemas import CatalogueItemPublic, UnitList
from services.institutions.fields import CatalogueName, Level, OccupationCode

router = APIRouter(prefix="/v1", tags=["catalogue"])


@router.get("/catalogue/items", response_model=Page[CatalogueItemPublic])
async def list_catalogue_items(
    session: SessionDep,
    catalogue: CatalogueName | None = None,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CatalogueItemPublic]:
    """The key-industry and general training catalogues, with subsidy standards in fen."""
    return await service.list_items(
        session,
        catalogue=catalogue,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )


@router.get("/catalogue/lookup", response_model=CatalogueItemPublic)
async def lookup_catalogue_item(
    session: SessionDep, occupation_code: OccupationCode, level: Level
) -> CatalogueItemPublic:
    """The applicable item for an occupation and level (key-industry before general)."""
    return await service.lookup(session, occupation_code, level)


@router.get("/units", response_model=UnitList)
async def list_units(session: SessionDep) -> UnitList:
    """The 15 units of Jining with their 2019 quotas."""
    return await service.list_units(session)
