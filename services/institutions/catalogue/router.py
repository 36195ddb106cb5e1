"""HTTP routes of the catalogues, their versions and the units."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.institutions.catalogue import service, versions
from services.institutions.catalogue.schemas import (
    CatalogueItemPublic,
    ExportFormat,
    UnitList,
    VersionCreate,
    VersionExport,
    VersionImport,
    VersionPublic,
)
from services.institutions.fields import CatalogueName, Level, OccupationCode

router = APIRouter(prefix="/v1", tags=["catalogue"])


@router.get("/catalogue/items", response_model=Page[CatalogueItemPublic])
async def list_catalogue_items(
    session: SessionDep,
    catalogue: CatalogueName | None = None,
    occupation_code: OccupationCode | None = None,
    level: Level | None = None,
    as_of: dt.date | None = None,
    version: int | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CatalogueItemPublic]:
    """The training catalogues in force on `as_of` (today by default), or of one version."""
    return await service.list_items(
        session,
        as_of=as_of,
        version=version,
        catalogue=catalogue,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )


@router.get("/catalogue/lookup", response_model=CatalogueItemPublic)
async def lookup_catalogue_item(
    session: SessionDep,
    occupation_code: OccupationCode,
    level: Level,
    as_of: dt.date | None = None,
) -> CatalogueItemPublic:
    """The applicable item for an occupation and level on a date (key-industry first)."""
    return await service.lookup(session, occupation_code, level, as_of)


@router.get("/catalogue/versions", response_model=Page[VersionPublic])
async def list_catalogue_versions(
    session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> Page[VersionPublic]:
    """The published catalogue versions, newest first."""
    return await versions.list_versions(session, limit, offset)


@router.post("/catalogue/versions", status_code=201, response_model=VersionPublic)
async def publish_catalogue_version(
    body: VersionCreate, principal: CurrentPrincipal, session: SessionDep
) -> VersionPublic:
    """Publish a new version: items added, changed or retired, effective on a date."""
    return await versions.publish_version(session, principal, body)


@router.post("/catalogue/versions/import", status_code=201, response_model=VersionPublic)
async def import_catalogue_version(
    body: VersionImport, principal: CurrentPrincipal, session: SessionDep
) -> VersionPublic:
    """Publish a whole catalogue from CSV or XLSX: all rows valid, or nothing changes."""
    return await versions.import_version(session, principal, body)


@router.get("/catalogue/versions/{number}", response_model=VersionPublic)
async def get_catalogue_version(number: int, session: SessionDep) -> VersionPublic:
    """One published version."""
    return VersionPublic.model_validate(await versions.get_version(session, number))


@router.get("/catalogue/versions/{number}/export", response_model=VersionExport)
async def export_catalogue_version(
    number: int, session: SessionDep, format: ExportFormat = "csv"
) -> VersionExport:
    """One version's items as a CSV (UTF-8 with BOM) or XLSX file."""
    return await versions.export_version(session, number, format)


@router.get("/units", response_model=UnitList)
async def list_units(session: SessionDep) -> UnitList:
    """The 15 units of Jining with their 2019 quotas."""
    return await service.list_units(session)
