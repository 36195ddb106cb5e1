"""Finding a PostgreSQL server for the tests.

TEST_DATABASE_URL if set; else a server on 127.0.0.1:5432; else a throwaway cluster started
with initdb/pg_ctl (as the postgres user when running as root) on a free port; else None,
and the PostgreSQL tests skip — or fail, when JINENG_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import asyncpg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _can_connect(url: str) -> bool:
    try:
        conn = await asyncpg.connect(
            url.replace("postgresql+asyncpg://", "postgresql://"), timeout=3
        )
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


def _start_throwaway() -> str | None:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        return None
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="jineng-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(data / "log"),
            "-w",
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=300",
            "start",
        ],
        check=True,
        capture_output=True,
    )

    def _stop() -> None:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(_stop)
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"


@lru_cache(maxsize=1)
def server_url() -> str | None:
    """A URL (database `postgres`) on a reachable server, or None."""
    import asyncio

    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return explicit
    local = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    if asyncio.run(_can_connect(local)):
        return local
    return _start_throwaway()
