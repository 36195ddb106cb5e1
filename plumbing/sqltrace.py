"""An opt-in trace of the SQL each request sends (`JINENG_SQL_TRACE=<directory>`).

`make bench` records a few flows with it and replays their SQL with plain asyncpg as the
floor (bench/replay.py), so the floor is always exactly the SQL the services run now.

For every request the process appends one record to `<directory>/<service>-<pid>.trace`
(a stream of pickles, read back with `read`): the request id, method, path, start time and
the transactions in the order they began, each with the way it ended (commit or rollback)
and its statements — the SQL text, the parameters as sent to the driver, whether it was an
executemany, the column names and rows it returned (SELECT and RETURNING) and its row count.
A transaction is the span from a connection's first statement to its commit or rollback,
which is when the asyncpg dialect sends BEGIN and COMMIT/ROLLBACK; the pool's pre-ping
(`BEGIN; ; ROLLBACK` outside SQLAlchemy's cursor) is not in it.

The record is written when the request ends, synchronously: a tool for recording, not for
a measured run (make bench restarts the processes without it before measuring).
Off by default: then no engine event is registered and the request middleware does nothing
extra (tests/bench/test_sqltrace.py). Pickle, because the values must come back with their
exact types (datetime, date, Decimal, bytes); the files are written and read by this
repository's own processes only.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.interfaces import ExecuteStyle
from sqlalchemy.ext.asyncio import AsyncEngine

ENV = "JINENG_SQL_TRACE"


@dataclass
class Statement:
    sql: str
    params: Any  # a tuple, or a list of tuples for an executemany
    many: bool
    columns: list[str] | None  # None: the statement returns no rows (no RETURNING)
    rows: list[tuple[Any, ...]]
    rowcount: int


@dataclass
class Transaction:
    statements: list[Statement] = field(default_factory=list)
    end: str = "rollback"  # "commit" or "rollback"; rollback when the connection went back


@dataclass
class RequestTrace:
    service: str
    request_id: str
    method: str
    path: str
    started_ns: int
    transactions: list[Transaction] = field(default_factory=list)
    # Open transactions by connection (id of the driver connection).
    open: dict[int, Transaction] = field(default_factory=dict, repr=False)


_current: ContextVar[RequestTrace | None] = ContextVar("sql_trace", default=None)


def directory() -> Path | None:
    """Where this process writes its trace, or None when tracing is off."""
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def enabled() -> bool:
    return directory() is not None


def _key(conn: Any) -> int:
    try:
        return id(conn.connection.dbapi_connection)
    except Exception:  # an invalidated connection: its own transaction all the same
        return id(conn)


def install(engine: AsyncEngine) -> None:
    """Record every statement `engine` runs while a request's trace is set."""

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _statement(
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        trace = _current.get()
        if trace is None:
            return
        key = _key(conn)
        txn = trace.open.get(key)
        if txn is None:
            txn = trace.open[key] = Transaction()
            trace.transactions.append(txn)
        description = cursor.description
        # The asyncpg adapter keeps the fetched rows in `_rows` until SQLAlchemy reads them;
        # copying them here leaves them in place.
        rows = [tuple(r) for r in getattr(cursor, "_rows", ())] if description else []
        # An "insertmanyvalues" batch arrives flagged executemany but is one execute.
        many = executemany and context.execute_style is ExecuteStyle.EXECUTEMANY
        if many:
            params: Any = [tuple(p) for p in parameters]
        else:
            params = tuple(parameters or ())
        txn.statements.append(
            Statement(
                sql=statement,
                params=params,
                many=many,
                columns=[d[0] for d in description] if description else None,
                rows=rows,
                rowcount=cursor.rowcount,
            )
        )

    def _end(how: str) -> Any:
        def listener(conn: Any) -> None:
            trace = _current.get()
            if trace is None:
                return
            txn = trace.open.pop(_key(conn), None)
            if txn is not None:
                txn.end = how

        return listener

    event.listen(engine.sync_engine, "commit", _end("commit"))
    event.listen(engine.sync_engine, "rollback", _end("rollback"))


def start(service: str, request_id: str, method: str, path: str) -> RequestTrace:
    """A fresh trace for the current request (and the tasks it starts)."""
    trace = RequestTrace(service, request_id, method, path, time.time_ns())
    _current.set(trace)
    return trace


def finish(trace: RequestTrace) -> None:
    """Append the request's record to this process's trace file."""
    folder = directory()
    if folder is None:
        return
    trace.open.clear()  # what was still open went back to the pool: rolled back
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{trace.service}-{os.getpid()}.trace").open("ab") as f:
        pickle.dump(trace, f, protocol=pickle.HIGHEST_PROTOCOL)


def read(folder: Path) -> Iterator[RequestTrace]:
    """Every request recorded in `folder`, file by file, in the order each was written."""
    for path in sorted(folder.glob("*.trace")):
        with path.open("rb") as f:
            while True:
                try:
                    # Our own processes' files (see the module docstring).
                    yield pickle.load(f)  # noqa: S301
                except EOFError:
                    break
