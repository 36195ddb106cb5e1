"""Small SQL helpers that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table, bindparam, false, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from plumbing.principal import Principal


async def rows_affected(
    session: AsyncSession, stmt: Executable, params: dict[str, Any] | None = None
) -> int:
    """Run a conditional UPDATE/INSERT and return how many rows it touched."""
    result = cast(CursorResult[Any], await session.execute(stmt, params))
    return int(result.rowcount)


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def upsert(session: AsyncSession, model: type[Any]) -> Any:
    """An INSERT that supports ON CONFLICT on the session's dialect (both have it)."""
    return upsert_for(session.get_bind().dialect.name, model)


_BUILT: dict[tuple[str, str], Any] = {}


def built(session: AsyncSession, name: str, build: Callable[[str], Any]) -> Any:
    """The statement `build(dialect name)` makes, built once per dialect and reused: its
    values are bind parameters given at execution, so a hot path neither rebuilds the
    construct nor regenerates its cache key (memoized on the construct) per call
    (docs/PERFORMANCE.md, "Enrolment's cost per request", "Second pass")."""
    dialect = session.get_bind().dialect.name
    stmt = _BUILT.get((name, dialect))
    if stmt is None:
        stmt = _BUILT[(name, dialect)] = build(dialect)
    return stmt


def upsert_for(dialect: str, model: type[Any]) -> Any:
    """`upsert` for a dialect given by name (for statements built once per dialect)."""
    table = table_of(model)
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def scope_rule(
    principal: Principal, kinds: Collection[str], everyone: tuple[str, ...]
) -> tuple[str, Any]:
    """Which of the scopes `kinds` (worker, institution, unit) limits the principal's rows,
    and its value: ("everyone", None) for no limit, ("nobody", None) for no row
    (docs/INTERNAL_API.md conventions)."""
    role = principal.role
    if role in everyone or (role == "government" and principal.unit_code is None):
        return "everyone", None
    if role == "worker" and "worker" in kinds:
        return "worker", principal.id
    if role == "institution" and "institution" in kinds and principal.institution_id:
        return "institution", principal.institution_id
    if role == "government" and "unit" in kinds:
        return "unit", principal.unit_code
    return "nobody", None


def _conditions(kind: str, value: Any, columns: dict[str, Any]) -> list[ColumnElement[bool]]:
    if kind == "everyone":
        return []
    if kind == "nobody":
        return [false()]
    return [columns[kind] == value]


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
    columns = {"worker": worker, "institution": institution, "unit": unit}
    columns = {k: v for k, v in columns.items() if v is not None}
    kind, value = scope_rule(principal, columns, everyone)
    return _conditions(kind, value, columns)


def by_id_in_scope(
    session: AsyncSession,
    name: str,
    entity: Any,
    id_column: Any,
    principal: Principal | None,
    row_id: int,
    *,
    everyone: tuple[str, ...] = ("finance", "admin"),
    populate_existing: bool = False,
    **columns: Any,
) -> tuple[Any, dict[str, Any]]:
    """`select(entity)` of the row `row_id` if it is in the principal's scope (any row
    without a principal), as a statement built once per scope kind and its parameters:
    the same rows as `scope_filter`, without rebuilding the statement per call."""
    kind, value = scope_rule(principal, columns, everyone) if principal else ("everyone", None)

    def build(_dialect: str) -> Any:
        where = [id_column == bindparam("id"), *_conditions(kind, bindparam("scope"), columns)]
        stmt = select(entity).where(*where)
        return stmt.execution_options(populate_existing=True) if populate_existing else stmt

    params: dict[str, Any] = {"id": row_id}
    if kind in columns:
        params["scope"] = value
    return built(session, f"{name}:{kind}", build), params
