"""The four processes on fresh PostgreSQL databases, started for one benchmark run.

Databases `jb_<rand>_<process>` are created on the server of BENCH_DATABASE_URL, else
TEST_DATABASE_URL, else 127.0.0.1:5432, migrated with plumbing.migrate, and dropped at the end
(also on Ctrl-C). The processes are started with scripts.launch, as `make run` does, in demo
mode, with the request log off (level WARNING), limits high enough for a load generator, the
public notice skipped (so a claim can be paid in the same run) and the SQL statement counter
on (plumbing/sqlstats.py). With `trace_dir`, the processes start with the SQL trace on
(plumbing/sqltrace.py) until `untrace()` restarts them without it; the services' id sequences
start far apart (`spread_sequences`) so that a recorded id is never mistaken for another
value when the floor replays the trace (bench/replay.py).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from bench.pg import create_database, drop_database, dsn, server_url
from bench.replay import ID_BASE, ID_SPACING
from plumbing import sqlstats, sqltrace
from plumbing.migrate import upgrade
from scripts.launch import ORDER, Stack, free_port, start_stack
from tests.stack import stack_env as test_stack_env

READY_TIMEOUT_S = 120.0
HIGH_LIMIT = "1000000000"


@dataclass
class BenchStack:
    urls: dict[str, str]  # base URL of each process
    database_urls: dict[str, str]  # SQLAlchemy URL of each process's database
    server: str
    stack: Stack
    log_dir: Path
    profile: list[str] = field(default_factory=list)
    profile_dir: Path | None = None

    def pids(self) -> dict[str, int]:
        return {name: p.popen.pid for name, p in self.stack.processes.items()}

    def dsn(self, name: str) -> str:
        return dsn(self.database_urls[name])

    async def untrace(self) -> None:
        """Restart the four processes without the SQL trace (and the profiled ones under
        pyinstrument), so that nothing measured pays for the recording."""
        self.stack.env = {k: v for k, v in self.stack.env.items() if k != sqltrace.ENV}
        await asyncio.to_thread(self.stack.stop)
        for name in ORDER:
            self.stack.start_process(name)
        await asyncio.to_thread(self.stack.wait_ready, READY_TIMEOUT_S)
        if self.profile:
            await asyncio.to_thread(
                _profiled, self.stack, self.profile, self.profile_dir or self.log_dir
            )


async def spread_sequences(dsns: list[str]) -> None:
    """Start every id sequence of these databases at its own value from ID_BASE on, ID_SPACING
    apart: no id is then equal to a small constant, nor to an id of another table."""
    n = 0
    for one in dsns:
        conn = await asyncpg.connect(one)
        try:
            rows = await conn.fetch(
                "SELECT schemaname, sequencename, data_type::text AS data_type "
                "FROM pg_sequences ORDER BY schemaname, sequencename"
            )
            for row in rows:
                if row["data_type"] not in ("integer", "bigint"):
                    continue
                start = ID_BASE + n * ID_SPACING
                n += 1
                if start + ID_SPACING > 2**31 - 1:
                    raise RuntimeError("too many sequences to spread below 2**31")
                name = f'"{row["schemaname"]}"."{row["sequencename"]}"'
                await conn.execute("SELECT setval($1::regclass, $2)", name, start)
        finally:
            await conn.close()


def stack_env(var_dir: Path, database_urls: dict[str, str]) -> dict[str, str]:
    """The test stack's environment (tests.stack.stack_env: the developer's JINENG_* and
    database settings dropped), with the benchmark's own: no public notice before a claim,
    no request log, limits no load reaches, and the SQL statement counter on."""
    return test_stack_env(
        var_dir,
        database_urls,
        {
            "JINENG_PUBLIC_NOTICE_DAYS": "0",
            "JINENG_LOG_LEVEL": "WARNING",  # no line per request: logging would dominate
            "JINENG_RATE_LOGIN": HIGH_LIMIT,
            "JINENG_RATE_LOGIN_IP": HIGH_LIMIT,
            "JINENG_RATE_WECHAT": HIGH_LIMIT,
            "JINENG_RATE_PROFILE": HIGH_LIMIT,
            sqlstats.ENV: "1",
        },
    )


def _profiled(stack: Stack, names: list[str], out_dir: Path) -> None:
    """Restart `names` under pyinstrument (wall-clock sampling of the whole process); each
    writes <out_dir>/profile-<name>.txt when it stops."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plain = stack.python
    for name in names:
        stack.stop_process(name)
        wrapper = out_dir / f".profiled-{name}.sh"
        report = out_dir / f"profile-{name}.txt"
        wrapper.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" -m bench.profiled "{report}" "$@"\n'
        )
        wrapper.chmod(0o755)
        stack.python = str(wrapper)
        try:
            stack.start_process(name)
        finally:
            stack.python = plain
    stack.wait_ready(READY_TIMEOUT_S, None, names)


@asynccontextmanager
async def bench_stack(
    work_dir: Path,
    profile: list[str] | None = None,
    profile_dir: Path | None = None,
    trace_dir: Path | None = None,
) -> AsyncIterator[BenchStack]:
    """Fresh databases, migrated; the four processes ready; everything gone afterwards.
    `profile` names processes to run under pyinstrument (reports in `profile_dir`; with
    `trace_dir`, from `untrace()` on); `trace_dir` turns the SQL trace on."""
    server = server_url()
    rand = uuid.uuid4().hex[:6]
    names = {svc: f"jb_{rand}_{svc}" for svc in ORDER}
    created: list[str] = []
    stack: Stack | None = None
    log_dir = work_dir / "logs"
    try:
        database_urls: dict[str, str] = {}
        for svc in ORDER:
            database_urls[svc] = await create_database(server, names[svc])
            created.append(names[svc])
            await asyncio.to_thread(upgrade, svc, database_urls[svc])
        await spread_sequences([dsn(database_urls[s]) for s in ORDER if s != "gateway"])
        var_dir = work_dir / "var"
        var_dir.mkdir(parents=True, exist_ok=True)
        env = stack_env(var_dir, database_urls)
        if trace_dir is not None:
            env[sqltrace.ENV] = str(trace_dir)
        ports = {name: free_port() for name in ORDER}
        stack = start_stack(env, ports, log_dir=log_dir)
        await asyncio.to_thread(stack.wait_ready, READY_TIMEOUT_S)
        if profile and trace_dir is None:
            await asyncio.to_thread(_profiled, stack, profile, profile_dir or work_dir)
        yield BenchStack(
            stack.urls,
            database_urls,
            server,
            stack,
            log_dir,
            list(profile or []) if trace_dir is not None else [],
            profile_dir or work_dir,
        )
    finally:
        # Shielded: a Ctrl-C (cancellation) must not leave processes or databases behind.
        if stack is not None:
            # A profiled process needs time to write its report on the way out.
            timeout = 300.0 if profile else 10.0
            await asyncio.shield(asyncio.to_thread(stack.stop, timeout))
        for name in created:
            await asyncio.shield(drop_database(server, name))
