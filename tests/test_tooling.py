"""The developer tooling: .ci/run, the Makefile, the migrate CLI, and the `make run` launcher."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from plumbing.settings import REPO_ROOT
from scripts.launch import ORDER, StackError, free_port, start_stack
from tests.stack import RunningStack, running_stack

MAKEFILE = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
CI_RUN = REPO_ROOT / ".ci" / "run"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment without the developer's Jineng settings, var/ in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JINENG_") and not k.endswith("DATABASE_URL")
    }
    env["JINENG_VAR_DIR"] = str(tmp_path / "var")
    env.update(extra)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


# --- .ci/run and the Makefile ---------------------------------------------------------------


def test_ci_runs_the_whole_gate_requiring_postgres() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert os.access(CI_RUN, os.X_OK)
    assert "set -euo pipefail" in text
    assert re.search(r"^JINENG_REQUIRE_POSTGRES=1 make test$", text, re.MULTILINE)
    assert "pg_ctlcluster --skip-systemctl-redirect" in text
    assert subprocess.run(["bash", "-n", str(CI_RUN)], check=False).returncode == 0


def test_make_never_downloads_a_python() -> None:
    """Every recipe (uv sync included) sees UV_PYTHON_DOWNLOADS=never."""
    probe = run(
        ["make", "--no-print-directory", "--eval", "probe: ; @echo $$UV_PYTHON_DOWNLOADS", "probe"],
        clean_env(Path("/nonexistent")),
    )
    assert probe.stdout.strip() == "never"


def test_make_venv_bootstraps_the_locked_uv_and_syncs_frozen() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    locked = re.search(r'"uv==([\d.]+)"', pyproject)
    assert locked is not None
    dry = run(["make", "-n", "-B", "venv"], clean_env(Path("/nonexistent"))).stdout
    assert "-m venv .venv" in dry
    assert f".venv/bin/pip install --quiet --disable-pip-version-check uv=={locked[1]}" in dry
    assert ".venv/bin/uv sync --frozen --compile-bytecode --python .venv/bin/python" in dry


def test_make_test_lints_before_the_suite() -> None:
    dry = run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.synced", "test"], clean_env(Path("/x"))
    ).stdout
    steps = [line.split()[0] for line in dry.splitlines()]
    assert steps == [
        ".venv/bin/ruff",
        ".venv/bin/ruff",
        ".venv/bin/mypy",
        ".venv/bin/lint-imports",
        ".venv/bin/pytest",
    ]


# --- python -m plumbing.migrate -------------------------------------------------------------


@pytest.mark.parametrize("argv", [[], ["nowhere"], ["gateway", "sideways"]])
def test_migrate_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "plumbing.migrate", *argv], clean_env(tmp_path))
    assert result.returncode == 2
    assert "usage" in result.stdout or "unknown action" in result.stdout


# --- the launcher ---------------------------------------------------------------------------


def test_launcher_refuses_demo_mode_in_production(tmp_path: Path) -> None:
    env = clean_env(tmp_path, JINENG_ENV="production")
    result = run([sys.executable, "-m", "scripts.run"], env)
    assert result.returncode == 2
    assert "refusing demo mode with JINENG_ENV=production" in result.stderr
    assert not (tmp_path / "var").exists()  # nothing was migrated


def test_launcher_rejects_a_bad_port(tmp_path: Path) -> None:
    result = run(
        [sys.executable, "-m", "scripts.run"], clean_env(tmp_path, JINENG_GATEWAY_PORT="x")
    )
    assert result.returncode == 2
    assert "JINENG_GATEWAY_PORT='x' is not a port number" in result.stderr


def test_start_stack_names_a_missing_module() -> None:
    with pytest.raises(StackError, match=r"gateway: module services\.nope\.main does not exist"):
        start_stack(dict(os.environ), {"gateway": 1}, apps={"gateway": "services.nope.main:app"})


def test_a_process_dying_at_startup_is_named_with_its_log(tmp_path: Path) -> None:
    # Production with development secrets: the gateway refuses to start.
    env = clean_env(tmp_path, JINENG_ENV="production")
    stack = start_stack(env, {"gateway": free_port()}, log_dir=tmp_path / "logs")
    try:
        with pytest.raises(StackError) as caught:
            stack.wait_ready(timeout=60)
    finally:
        stack.stop()
    message = str(caught.value)
    assert message.startswith("gateway exited with code 1 before it was ready")
    assert "refusing to start in production" in message


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`python -m scripts.run` on free ports, output in a file; waits for its banner."""
    ports = {f"JINENG_{name.upper()}_PORT": str(free_port()) for name in ORDER}
    out = tmp_path / "run.out"
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scripts.run"],
            cwd=REPO_ROOT,
            env=clean_env(tmp_path, **ports),
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while "Ctrl-C stops everything" not in out.read_text(errors="replace"):
        assert proc.poll() is None, out.read_text(errors="replace")
        assert time.monotonic() < deadline, out.read_text(errors="replace")
        time.sleep(0.2)
    try:
        yield proc, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def children(pid: int) -> dict[str, int]:
    """The launcher's child processes by app (Linux /proc)."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        app = next(a.decode() for a in argv if a.endswith(b":create_app"))
        found[app.split(".")[-2].split(":")[0] if app.startswith("services") else "gateway"] = int(
            child
        )
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.stack
def test_make_run_starts_all_four_and_stops_them_on_sigterm(
    launcher: tuple[subprocess.Popen[bytes], Path], tmp_path: Path
) -> None:
    proc, out = launcher
    banner = out.read_text(errors="replace")
    gateway = re.search(r"public API\s+(http://\S+)/api/v1", banner)
    assert gateway is not None
    assert httpx.get(f"{gateway[1]}/readyz").status_code == 200
    for name in ("city-officer", "rencheng-officer", "finance-officer-2", "evaluator"):
        assert name in banner
    assert "demo:<openid>" in banner
    assert {p.name for p in (tmp_path / "var").iterdir()} >= {f"{n}.db" for n in ORDER}
    pids = children(proc.pid)
    assert set(pids) == set(ORDER)

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert "stopped: gateway (0), evaluation (0), enrolment (0), institutions (0)" in (
        out.read_text(errors="replace")
    )
    assert all(gone(pid) for pid in pids.values())


@pytest.mark.stack
def test_make_run_stops_everything_when_one_process_dies(
    launcher: tuple[subprocess.Popen[bytes], Path],
) -> None:
    proc, out = launcher
    pids = children(proc.pid)
    os.kill(pids["enrolment"], signal.SIGKILL)
    assert proc.wait(30) == 1
    assert "enrolment exited with code -9; stopping the others" in out.read_text(errors="replace")
    assert all(gone(pid) for pid in pids.values())


# --- tests/stack.py, as the end-to-end tests use it -----------------------------------------


@pytest.mark.stack
async def test_the_stack_helper_serves_and_restarts_a_process(
    backend: str, pg_server: str | None, tmp_path: Path
) -> None:
    async with running_stack(backend, tmp_path, pg_server) as stack:
        assert isinstance(stack, RunningStack)
        async with httpx.AsyncClient(timeout=10) as client:
            for name, url in stack.urls.items():
                ready = await client.get(f"{url}/readyz")
                assert ready.json()["status"] == "ready", name
            assert (await client.get(f"{stack.gateway}/docs")).status_code == 200
            assert await stack.stop_process("evaluation") == 0
            with pytest.raises(httpx.ConnectError):
                await client.get(f"{stack.urls['evaluation']}/readyz")
            await stack.start_process("evaluation")
            assert (await client.get(f"{stack.urls['evaluation']}/readyz")).status_code == 200
        assert '"service": "gateway"' in stack.log("gateway")  # one JSON line per request
    assert all(code == 0 for code in stack.stack.stop().values())
