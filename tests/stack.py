"""The real four-process stack (gateway + three services over HTTP) for end-to-end tests.

It runs exactly what `make run` runs (scripts/launch.py): four uvicorn processes on free
ports, demo mode on, each database migrated first — SQLite files in a temporary directory,
or fresh PostgreSQL databases `jt_stack_<rand>_<service>_…` on the test server (dropped at the
end). Output of each process goes to <tmp>/logs/<name>.log; a failure to start names the
process and shows the end of its log.

Use it from a fixture (e.g. in tests/e2e/conftest.py)::

    import httpx
    import pytest
    from tests.stack import RunningStack, running_stack

    @pytest.fixture(scope="session")
    async def stack(backend, pg_server, tmp_path_factory) -> AsyncIterator[RunningStack]:
        # `backend` (sqlite / postgresql) and `pg_server` come from tests/conftest.py.
        async with running_stack(backend, tmp_path_factory.mktemp("stack"), pg_server) as s:
            yield s

    @pytest.fixture
    async def api(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(base_url=stack.api, timeout=10) as client:
            yield client

    @pytest.mark.stack
    async def test_staff_login(api):
        r = await api.post("/auth/token",
                           json={"username": "city-officer", "password": DEMO_PASSWORD})
        assert r.status_code == 200

The stack is slow to start (a few seconds), so share it (session scope) and give every test
its own data (a fresh WeChat openid `demo:<uuid>` per worker, say). `stack.urls` has each
process's base URL; call a service directly with `tests.support.internal_headers()`.
To see the gateway with a service down: `await stack.stop_process("enrolment")`, then
`await stack.start_process("enrolment")` (same port, same database, waits until ready).
If a process died during the tests, leaving the context raises StackError with its log.
`extra_env={"JINENG_...": ...}` adds settings for every process; `names=("gateway",)` starts
only some. Mark such tests `@pytest.mark.stack` (`pytest -m "not stack"` skips them).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from plumbing.migrate import upgrade
from plumbing.settings import DEFAULT_INTERNAL_TOKEN
from scripts.launch import ORDER, Stack, StackError, free_port, start_stack
from tests.support import create_pg_database, drop_pg_database

DEMO_PASSWORD = "jineng-demo"
READY_TIMEOUT_S = 90.0

__all__ = ["DEMO_PASSWORD", "RunningStack", "StackError", "running_stack", "stack_env"]


@dataclass
class RunningStack:
    """What a test needs to reach the stack."""

    backend: str
    gateway: str  # base URL of the gateway, e.g. http://127.0.0.1:41234
    urls: dict[str, str]  # base URL of each process (gateway, institutions, ...)
    database_urls: dict[str, str]
    env: dict[str, str] = field(repr=False)
    log_dir: Path
    stack: Stack = field(repr=False)

    @property
    def api(self) -> str:
        """The public API's base URL (…/api/v1)."""
        return f"{self.gateway}/api/v1"

    def log(self, name: str) -> str:
        """Everything process `name` wrote so far (its JSON request lines, tracebacks)."""
        path = self.log_dir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    async def stop_process(self, name: str) -> int:
        """Stop one process on purpose; returns its exit code (0 = clean)."""
        return await asyncio.to_thread(self.stack.stop_process, name)

    async def kill_process(self, name: str) -> int:
        """Kill one process outright (SIGKILL: no graceful shutdown, a crash mid-request)."""
        proc = self.stack.processes[name]
        proc.stopped = True
        proc.popen.kill()
        code = await asyncio.to_thread(proc.popen.wait)
        if proc.log_file is not None and not proc.log_file.closed:
            proc.log_file.close()
        return code

    async def start_process(self, name: str) -> None:
        """Start a stopped process again on its port and wait until it is ready."""
        await asyncio.to_thread(self.stack.start_process, name)
        await asyncio.to_thread(self.stack.wait_ready, READY_TIMEOUT_S, None, [name])


def stack_env(
    var_dir: Path, database_urls: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The processes' environment: this one without any JINENG_* or *DATABASE_URL setting of
    the developer's (they would point the stack elsewhere), plus the test settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JINENG_") and not k.endswith("DATABASE_URL")
    }
    env.update(
        JINENG_ENV="test",
        JINENG_DEMO="1",
        JINENG_VAR_DIR=str(var_dir),
        JINENG_INTERNAL_TOKEN=DEFAULT_INTERNAL_TOKEN,  # what tests.support.internal_headers sends
        JINENG_LOG_JSON="1",
        # The e2e suite logs in far more often than a person; the limits are tested in process.
        JINENG_RATE_LOGIN="100000",
        JINENG_RATE_LOGIN_IP="100000",
        JINENG_RATE_WECHAT="100000",
        JINENG_RATE_PROFILE="100000",
    )
    env.update({f"{svc.upper()}_DATABASE_URL": url for svc, url in database_urls.items()})
    env.update(extra or {})
    return env


@asynccontextmanager
async def running_stack(
    backend: str,
    tmp_dir: Path,
    pg_server: str | None = None,
    *,
    extra_env: Mapping[str, str] | None = None,
    names: tuple[str, ...] = ORDER,
    routes: Mapping[str, str] | None = None,
) -> AsyncIterator[RunningStack]:
    """Migrate fresh databases, start the processes in `names` (default all four) on free
    ports, wait until each /readyz answers 200, yield, then stop them and drop the databases.
    `backend` is "sqlite" or "postgresql" (then `pg_server` is the server URL). `routes`
    sends the gateway's calls to a service elsewhere (a fault proxy: tests/faultproxy.py)."""
    var_dir = tmp_dir / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    log_dir = tmp_dir / "logs"
    rand = uuid.uuid4().hex[:6]
    created: list[str] = []
    databases: dict[str, str] = {}
    stack: Stack | None = None
    try:
        for svc in names:
            if backend == "sqlite":
                databases[svc] = f"sqlite+aiosqlite:///{var_dir / f'{svc}.db'}"
            else:
                assert pg_server is not None, "the postgresql backend needs pg_server"
                databases[svc] = await create_pg_database(pg_server, f"jt_stack_{rand}_{svc}")
                created.append(databases[svc])
            await asyncio.to_thread(upgrade, svc, databases[svc])
        env = stack_env(var_dir, databases, extra_env)
        ports = {name: free_port() for name in names}
        stack = start_stack(env, ports, log_dir=log_dir, routes=routes)
        await asyncio.to_thread(stack.wait_ready, READY_TIMEOUT_S)
        yield RunningStack(
            backend=backend,
            gateway=stack.urls.get("gateway", ""),
            urls=stack.urls,
            database_urls=databases,
            env=env,
            log_dir=log_dir,
            stack=stack,
        )
        dead = stack.dead()
        if dead is not None:
            raise StackError(stack.describe_death(dead, " while the tests ran"))
    finally:
        if stack is not None:
            await asyncio.to_thread(stack.stop)
        for url in created:
            assert pg_server is not None
            await drop_pg_database(pg_server, url)
