"""Small SQL helpers that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table, false
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from plumbing.principal import Principal


async def rows_affected(session: AsyncSession, stmt: Executable) -> int:
    """Run a conditional UPDATE/INSERT and return how many rows it touched."""
    result = cast(CursorResult[Any], await session.execute(stmt))
    return int(result.rowcount)


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def upsert(session: AsyncSession, model: type[Any]) -> Any:
    """An INSERT that supports ON CONFLICT on the session's dialect (both have it)."""
    table = table_of(model)
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def scope_filter(
    principal: Principal,
    *,
    worker: Any = None,
    institution: Any = None,
    unit: Any = None,
    everyone: tuple[str, ...] = ("finance", "admin"),
) -> list[ColumnElement[bool]]:
    """Conditions limiting rows to the principal's scope (docs/INTERNAL_API.md conventions):
    a worker its own rows, an institution its own, a unit-scoped officer its unit."""
    role = principal.role
    if role in everyone or (role == "government" and principal.unit_code is None):
        return []
    if role == "worker" and worker is not None:
        return [worker == principal.id]
    if role == "institution" and institution is not None and principal.institution_id:
        return [institution == principal.institution_id]
    if role == "government" and unit is not None:
        return [unit == principal.unit_code]
    return [false()]
