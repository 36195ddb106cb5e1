"""Publishing catalogue versions: from JSON, from an uploaded CSV or XLSX, and exporting one.

PLAN §二.(二).10: the catalogues are published and adjusted dynamically. Items change only
through a version; a version takes effect on its date and every earlier one stays readable.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
from plumbing.errors import DomainError, Forbidden, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal, require_role
from services.institutions.catalogue import files, repository
from services.institutions.catalogue.models import CatalogueItem, CatalogueVersion
from services.institutions.catalogue.schemas import (
    CatalogueItemIn,
    VersionCreate,
    VersionExport,
    VersionImport,
    VersionPublic,
)

Key = tuple[str, str, int]
FIELDS = ("occupation_name", "training_types", "standard_hours", "subsidy_fen", "industry")


def _check_publisher(principal: Principal) -> None:
    """The catalogues are the city's: only a city-wide officer (or admin) publishes them."""
    require_role(principal, "government", "admin")
    if not principal.city_wide:
        raise Forbidden("only a city-wide officer publishes the training catalogues")


def _differs(row: CatalogueItem, item: CatalogueItemIn) -> bool:
    return any(
        (sorted(row.training_types) if f == "training_types" else getattr(row, f))
        != getattr(item, f)
        for f in FIELDS
    )


async def _publish(
    session: AsyncSession,
    principal: Principal,
    *,
    effective_on: dt.date,
    note: str | None,
    source: str,
    upserts: Iterable[CatalogueItemIn],
    retire: Iterable[Key],
    replace: bool,
) -> VersionPublic:
    latest = await repository.latest_version(session)
    # History is never rewritten: a version takes effect today or later, and not before the
    # latest one (so "as of" a past date always answers what applied then).
    if effective_on < shanghai_today():
        raise DomainError(
            "version_out_of_order",
            f"a version cannot take effect in the past ({effective_on})",
            effective_on=str(effective_on),
        )
    if latest is not None and effective_on < latest.effective_on:
        raise DomainError(
            "version_out_of_order",
            f"version {latest.number} takes effect on {latest.effective_on}; "
            f"a later version cannot take effect before it",
            effective_on=str(effective_on),
            latest_effective_on=str(latest.effective_on),
        )
    number = (latest.number if latest else 0) + 1
    current = {
        (r.catalogue, r.occupation_code, r.level): r
        for r in await repository.current_items(session)
    }
    wanted = {i.key(): i for i in upserts}
    retiring = set(retire)
    unknown = sorted(k for k in retiring if k not in current)
    if unknown:
        raise DomainError(
            "not_in_catalogue",
            f"cannot retire items that are not in the catalogue: {unknown[:5]}",
            items=[{"catalogue": c, "occupation_code": o, "level": lv} for c, o, lv in unknown],
        )
    if replace:
        retiring |= {k for k in current if k not in wanted}
    added = [i for k, i in wanted.items() if k not in current]
    changed = [i for k, i in wanted.items() if k in current and _differs(current[k], i)]
    if not (added or changed or retiring):
        raise DomainError("empty_version", "the new version would change nothing")

    version = CatalogueVersion(
        number=number,
        effective_on=effective_on,
        note=note,
        source=source,
        added=len(added),
        changed=len(changed),
        retired=len(retiring),
        published_by=principal.id,
        published_at=utcnow(),
    )
    repository.add(session, version)
    try:
        # The version number is the primary key: two versions published at once cannot both
        # be number N+1; the later one fails here and changes nothing.
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise DomainError(
            "conflict", "another catalogue version was published at the same time; retry"
        ) from exc
    ending = [current[i.key()].id for i in changed] + [current[k].id for k in retiring]
    ids = [i for i in ending if i is not None]
    if await repository.end_items(session, ids, number) != len(ids):
        await session.rollback()
        raise DomainError("conflict", "the catalogue changed meanwhile; retry")
    for item in [*added, *changed]:
        repository.add(session, CatalogueItem(**item.model_dump(), since_version=number))
    await session.flush()
    await session.commit()
    return VersionPublic.model_validate(version)


async def publish_version(
    session: AsyncSession, principal: Principal, body: VersionCreate
) -> VersionPublic:
    """Publish a version from JSON: items added or changed, items retired (or a replacement)."""
    _check_publisher(principal)
    keys = [i.key() for i in body.items]
    if len(set(keys)) != len(keys):
        raise DomainError("validation_failed", "an item is listed twice in the version")
    return await _publish(
        session,
        principal,
        effective_on=body.effective_on,
        note=body.note,
        source="api",
        upserts=body.items,
        retire=[k.key() for k in body.retire],
        replace=body.replace,
    )


def _row_errors(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[list[CatalogueItemIn], list[dict[str, object]]]:
    """Every row validated; an error names the row (as a spreadsheet numbers it), the column
    and the reason."""
    items: list[CatalogueItemIn] = []
    errors: list[dict[str, object]] = []
    seen: dict[Key, int] = {}
    for number, values in rows:
        raw = {c: values.get(c, "") for c in files.COLUMNS}
        data = raw | {
            "training_types": [t.strip() for t in raw["training_types"].split("|") if t.strip()],
            "industry": raw["industry"] or None,
        }
        try:
            item = CatalogueItemIn.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                errors.append({"row": number, "column": column, "reason": err["msg"]})
            continue
        if item.key() in seen:
            errors.append(
                {
                    "row": number,
                    "column": "occupation_code",
                    "reason": f"the same catalogue, occupation and level as row {seen[item.key()]}",
                }
            )
            continue
        seen[item.key()] = number
        items.append(item)
    return items, errors


async def import_version(
    session: AsyncSession, principal: Principal, body: VersionImport
) -> VersionPublic:
    """Publish a whole catalogue from a CSV or XLSX file: every row valid, or nothing changes."""
    _check_publisher(principal)
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError("validation_failed", "content_base64 is not base64") from exc
    try:
        header, rows = files.read_rows(content)
    except files.UnreadableFile as exc:
        raise DomainError(
            "catalogue_import_invalid",
            str(exc),
            errors=[{"row": 1, "column": None, "reason": str(exc)}],
        ) from exc
    missing = [c for c in files.REQUIRED if c not in header]
    if missing:
        raise DomainError(
            "catalogue_import_invalid",
            f"the header lacks the column(s) {', '.join(missing)}",
            errors=[{"row": 1, "column": c, "reason": "missing column"} for c in missing],
        )
    items, errors = _row_errors(rows)
    if not errors and not items:
        errors = [{"row": 2, "column": None, "reason": "the file has no items"}]
    if errors:
        raise DomainError(
            "catalogue_import_invalid",
            f"{len({e['row'] for e in errors})} row(s) are not valid; nothing was changed",
            errors=errors[:500],
        )
    return await _publish(
        session,
        principal,
        effective_on=body.effective_on,
        note=body.note or body.filename,
        source="xlsx" if files.is_xlsx(content) else "csv",
        upserts=items,
        retire=[],
        replace=True,
    )


async def list_versions(session: AsyncSession, limit: int, offset: int) -> Page[VersionPublic]:
    """The published versions, newest first."""
    rows, total = await repository.list_versions(session, limit, offset)
    items = [VersionPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def get_version(session: AsyncSession, number: int) -> CatalogueVersion:
    version = await repository.get_version(session, number)
    if version is None:
        raise NotFound("catalogue version", number)
    return version


async def export_version(session: AsyncSession, number: int, fmt: str) -> VersionExport:
    """One version's items as CSV (UTF-8 with BOM) or XLSX, ready to edit and upload again."""
    version = await get_version(session, number)
    rows, _ = await repository.list_items(
        session,
        version=version.number,
        catalogue=None,
        occupation_code=None,
        level=None,
        limit=None,
        offset=0,
    )
    stem = f"catalogue-v{version.number}-{version.effective_on.isoformat()}"
    if fmt == "xlsx":
        content = files.write_xlsx(rows, f"v{version.number}")
        media_type = files.XLSX_MEDIA_TYPE
    else:
        content = files.write_csv(rows)
        media_type = files.CSV_MEDIA_TYPE
    return VersionExport(
        filename=f"{stem}.{fmt}",
        media_type=media_type,
        content_base64=base64.b64encode(content).decode(),
    )
