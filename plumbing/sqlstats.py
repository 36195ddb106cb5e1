"""An opt-in count of the SQL statements each request sends (`JINENG_SQL_STATS=1`).

The benchmark (`make bench`) reads it from the `x-sql-statements` response header to report
statements per step. Off by default: then no engine event is registered and the request
middleware does nothing extra, so it costs nothing. BEGIN and COMMIT are not counted (the
driver sends them outside SQLAlchemy's cursor).
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

ENV = "JINENG_SQL_STATS"
HEADER = "x-sql-statements"

# One mutable cell per request: set by the middleware, incremented by the engine event.
# SQLAlchemy runs the event in a greenlet that shares the request task's context.
_counter: ContextVar[list[int] | None] = ContextVar("sql_statements", default=None)


def enabled() -> bool:
    """Whether this process counts statements (read when an engine or app is made)."""
    return os.environ.get(ENV, "").lower() in ("1", "true", "yes")


def install(engine: AsyncEngine) -> None:
    """Count every statement `engine` sends while a request's counter is set."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        cell = _counter.get()
        if cell is not None:
            cell[0] += 1


def start() -> list[int]:
    """A fresh counter for the current request (and the tasks it starts)."""
    cell = [0]
    _counter.set(cell)
    return cell
