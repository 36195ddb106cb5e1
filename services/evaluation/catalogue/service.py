"""The evaluation catalogue (§二.(三).12–13): which trades and levels are evaluated, the
pass rule of each (differentiated evaluation), and the evaluation subsidy standard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today
from plumbing.errors import DomainError, NotFound
from plumbing.principal import Principal, require_role
from services.evaluation.catalogue import repository as repo
from services.evaluation.catalogue.models import CatalogueEntry, CatalogueVersion
from services.evaluation.catalogue.schemas import VersionCreate
from services.evaluation.event.repository import add_event


async def in_force(session: AsyncSession, on: dt.date) -> CatalogueVersion:
    version = await repo.version_in_force(session, on)
    if version is None:
        raise DomainError(
            "not_in_evaluation_catalogue", f"no evaluation catalogue is in force on {on}"
        )
    return version


async def entry_in_force(
    session: AsyncSession, occupation_code: str, level: int, on: dt.date
) -> CatalogueEntry:
    """The trade's entry in the version in force on `on`, or `not_in_evaluation_catalogue`."""
    version = await in_force(session, on)
    assert version.id is not None
    entry = await repo.get_entry(session, version.id, occupation_code, level)
    if entry is None:
        raise DomainError(
            "not_in_evaluation_catalogue",
            f"{occupation_code} level {level} is not in the evaluation catalogue in force on {on}",
            occupation_code=occupation_code,
            level=level,
        )
    return entry


async def list_in_force(
    session: AsyncSession,
    *,
    as_of: dt.date | None,
    occupation_code: str | None,
    level: int | None,
    limit: int,
    offset: int,
) -> tuple[dt.date, CatalogueVersion, Sequence[CatalogueEntry], int]:
    on = as_of or shanghai_today()
    version = await in_force(session, on)
    assert version.id is not None
    rows, total = await repo.list_entries(
        session,
        version.id,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )
    return on, version, rows, total


async def list_versions(session: AsyncSession) -> Sequence[tuple[CatalogueVersion, int]]:
    return await repo.list_versions(session)


async def create_version(
    session: AsyncSession, actor: Principal, data: VersionCreate
) -> tuple[CatalogueVersion, int]:
    """Publish a new version; it takes effect on its date. Earlier versions stay as they were,
    so results and subsidies already fixed keep pointing at the rules they were made under."""
    require_role(actor, "government", "admin")
    if data.effective_on < shanghai_today():
        raise DomainError(
            "validation_failed",
            f"a new version cannot take effect in the past ({data.effective_on})",
        )
    version = CatalogueVersion(effective_on=data.effective_on, note=data.note, created_by=actor.id)
    repo.add(session, version)
    try:
        await session.flush()
    except IntegrityError as exc:
        # UNIQUE(effective_on) decides: one version per day.
        await session.rollback()
        raise DomainError(
            "conflict", f"a catalogue version taking effect on {data.effective_on} exists"
        ) from exc
    assert version.id is not None
    for e in data.entries:
        repo.add(session, CatalogueEntry(version_id=version.id, **e.model_dump()))
    add_event(
        session,
        entity="catalogue_version",
        entity_id=version.id,
        from_status=None,
        to_status="published",
        actor=actor,
        reason=data.note,
    )
    await session.commit()
    return version, len(data.entries)


async def get_version(session: AsyncSession, version_id: int) -> CatalogueVersion:
    version = await repo.get_version(session, version_id)
    if version is None:
        raise NotFound("catalogue version", version_id)
    return version
