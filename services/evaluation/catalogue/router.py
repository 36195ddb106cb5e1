"""HTTP routes of the evaluation catalogue."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset
from plumbing.principal import CurrentPrincipal
from services.evaluation.catalogue import service
from services.evaluation.catalogue.schemas import (
    OCCUPATION_CODE,
    CatalogueAsOf,
    EntryPublic,
    VersionCreate,
    VersionPublic,
)

router = APIRouter(prefix="/v1/catalogue", tags=["catalogue"])


@router.get("/entries", response_model=CatalogueAsOf)
async def list_entries(
    principal: CurrentPrincipal,
    session: SessionDep,
    as_of: dt.date | None = None,
    occupation_code: str | None = Query(None, pattern=OCCUPATION_CODE),
    level: int | None = Query(None, ge=1, le=5),
    limit: Limit = 50,
    offset: Offset = 0,
) -> CatalogueAsOf:
    """The trades in scope on `as_of` (default today): pass rules and subsidy standards."""
    on, version, rows, total = await service.list_in_force(
        session,
        as_of=as_of,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )
    return CatalogueAsOf(
        as_of=on,
        version=VersionPublic.model_validate(version),
        items=[EntryPublic.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/versions", response_model=list[VersionPublic])
async def list_versions(principal: CurrentPrincipal, session: SessionDep) -> list[VersionPublic]:
    """Every version, oldest first, with how many entries each holds."""
    rows = await service.list_versions(session)
    return [VersionPublic.model_validate(v).model_copy(update={"entries": n}) for v, n in rows]


@router.post("/versions", status_code=201, response_model=VersionPublic)
async def create_version(
    body: VersionCreate, principal: CurrentPrincipal, session: SessionDep
) -> VersionPublic:
    """Publish a new version from a future date (government or admin)."""
    version, n = await service.create_version(session, principal, body)
    return VersionPublic.model_validate(version).model_copy(update={"entries": n})
