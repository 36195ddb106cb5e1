"""Starting and stopping the four processes (gateway and three services) as subprocesses.

Shared by the `make run` launcher (scripts/run.py) and the tests (tests/stack.py), so the
tests exercise exactly what a developer runs.
"""

from __future__ import annotations

import importlib.util
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from plumbing.migrate import SERVICES
from plumbing.settings import REPO_ROOT

# Start order: the services first, so the gateway finds them when it gets its first call.
ORDER = ("institutions", "enrolment", "evaluation", "gateway")
DOWNSTREAM = ("institutions", "enrolment", "evaluation")

APPS: dict[str, str] = {
    "gateway": "gateway.main:create_app",
    "institutions": "services.institutions.main:create_app",
    "enrolment": "services.enrolment.main:create_app",
    "evaluation": "services.evaluation.main:create_app",
}
DEFAULT_PORTS: dict[str, int] = {
    "gateway": 8000,
    "institutions": 8001,
    "enrolment": 8002,
    "evaluation": 8003,
}


class StackError(RuntimeError):
    """The stack could not be started, or a process died."""


def connect_host(host: str) -> str:
    """The address to reach a server bound to `host` from this machine."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def base_urls(host: str, ports: Mapping[str, int]) -> dict[str, str]:
    return {name: f"http://{connect_host(host)}:{port}" for name, port in ports.items()}


def missing_parts(names: list[str] | tuple[str, ...], apps: Mapping[str, str] = APPS) -> list[str]:
    """What is missing to start `names`: app modules that do not import and migration
    environments that do not exist. Empty when everything is there."""
    problems = []
    for name in names:
        module = apps[name].split(":", 1)[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            problems.append(f"{name}: module {module} does not exist")
        if name in SERVICES and not (REPO_ROOT / "migrations" / name / "env.py").exists():
            problems.append(f"{name}: migrations/{name}/env.py does not exist")
    return problems


def ports_in_use(host: str, ports: Mapping[str, int]) -> list[str]:
    """Ports someone else already listens on, as 'name (port)'."""
    busy = []
    for name, port in ports.items():
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            # As uvicorn does: a port in TIME_WAIT after a previous run is free to bind.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host or "0.0.0.0", port))
            except OSError:
                busy.append(f"{name} ({port})")
    return busy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log_path: Path | None = None
    log_file: IO[bytes] | None = None
    # Set when the process was stopped on purpose (stop() or stop_process()).
    stopped: bool = False
    signalled: bool = False

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def signal_stop(self) -> None:
        """Ask the process to stop (SIGTERM, once: a second one makes uvicorn skip cleanup)."""
        if not self.stopped and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.signalled = True
        self.stopped = True

    def terminate(self, timeout: float) -> int:
        """SIGTERM, wait, SIGKILL if need be; 0 for a clean stop on our signal."""
        self.signal_stop()
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            code = self.popen.wait()
        if self.log_file is not None and not self.log_file.closed:
            self.log_file.close()
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        return 0 if self.signalled and code == -signal.SIGTERM else code


@dataclass
class Stack:
    """The running processes. `stop()` ends them all; it is safe to call twice."""

    env: Mapping[str, str]
    ports: Mapping[str, int]
    host: str = "127.0.0.1"
    apps: Mapping[str, str] = field(default_factory=lambda: dict(APPS))
    log_dir: Path | None = None
    python: str = sys.executable
    cwd: Path = REPO_ROOT
    processes: dict[str, Process] = field(default_factory=dict)
    # Where the gateway calls a service when not at the service's own URL (tests put a fault
    # proxy in between).
    routes: dict[str, str] = field(default_factory=dict)

    @property
    def urls(self) -> dict[str, str]:
        return base_urls(self.host, self.ports)

    def start_process(self, name: str) -> Process:
        """Start (or restart, on the same port) one process; does not wait for readiness."""
        old = self.processes.get(name)
        if old is not None and old.popen.poll() is None:
            raise StackError(f"{name} is already running")
        urls = self.urls
        env = {**self.env, "PYTHONUNBUFFERED": "1"}
        if name == "gateway":
            for svc in DOWNSTREAM:
                if svc in urls:
                    env[f"JINENG_{svc.upper()}_URL"] = self.routes.get(svc, urls[svc])
        command = [
            *(self.python, "-m", "uvicorn", "--factory", self.apps[name]),
            *("--host", self.host, "--port", str(self.ports[name])),
            *("--http", "httptools"),
            "--no-access-log",  # our middleware logs one JSON line per request
        ]
        log_path = log_file = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.log_dir / f"{name}.log"
            log_file = log_path.open("ab")
        popen = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            command,
            cwd=self.cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT if log_file is not None else None,
            # Own session: a terminal Ctrl-C reaches only the launcher, which then stops
            # each child exactly once (a second signal makes uvicorn quit without cleanup).
            start_new_session=True,
        )
        proc = Process(name, urls[name], popen, log_path, log_file)
        self.processes[name] = proc
        return proc

    def stop_process(self, name: str, timeout: float = 10.0) -> int:
        """Stop one process on purpose (e.g. to see the gateway answer 503); its exit code."""
        return self.processes[name].terminate(timeout)

    def dead(self) -> Process | None:
        """The first process that exited without being asked to, if any."""
        return next(
            (p for p in self.processes.values() if not p.stopped and p.popen.poll() is not None),
            None,
        )

    def describe_death(self, proc: Process, when: str = "") -> str:
        message = f"{proc.name} exited with code {proc.popen.returncode}{when}"
        tail = proc.log_tail()
        if tail:
            message += f"; last lines of {proc.log_path}:\n{tail}"
        return message

    def wait_ready(
        self,
        timeout: float = 60.0,
        cancel: threading.Event | None = None,
        names: list[str] | None = None,
    ) -> None:
        """Block until every running process (or those in `names`) answers 200 on /readyz;
        raise StackError naming the process that died or is still not ready at the deadline."""
        deadline = time.monotonic() + timeout
        pending = {
            p.name: p
            for p in self.processes.values()
            if not p.stopped and (names is None or p.name in names)
        }
        last: dict[str, str] = {}
        while pending:
            for name, proc in list(pending.items()):
                if proc.popen.poll() is not None:
                    raise StackError(self.describe_death(proc, " before it was ready"))
                ok, detail = _probe(proc.url + "/readyz")
                if ok:
                    del pending[name]
                else:
                    last[name] = detail
            if not pending:
                return
            if cancel is not None and cancel.is_set():
                raise StackError("interrupted while waiting for the processes to be ready")
            if time.monotonic() > deadline:
                names_ = ", ".join(f"{n} ({last.get(n, 'no answer')})" for n in pending)
                raise StackError(f"not ready after {timeout:.0f}s: {names_}")
            time.sleep(0.2)

    def stop(self, timeout: float = 10.0) -> dict[str, int]:
        """Stop every process (gateway first: it stops taking requests before the services
        it calls go away). Returns each exit code; 0 for a clean stop on our SIGTERM."""
        procs = list(reversed(self.processes.values()))
        for proc in procs:  # signal all first, so they shut down in parallel
            proc.signal_stop()
        deadline = time.monotonic() + timeout
        return {p.name: p.terminate(max(0.1, deadline - time.monotonic())) for p in procs}


def _probe(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (our own http URL)
            return resp.status == 200, f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}: {exc.read(300).decode(errors='replace')}"
    except (OSError, TimeoutError) as exc:
        return False, type(exc).__name__


def start_stack(
    env: Mapping[str, str],
    ports: Mapping[str, int],
    host: str = "127.0.0.1",
    *,
    apps: Mapping[str, str] = APPS,
    log_dir: Path | None = None,
    python: str = sys.executable,
    cwd: Path = REPO_ROOT,
    routes: Mapping[str, str] | None = None,
) -> Stack:
    """Start one uvicorn process per entry of `ports` (any of gateway, institutions,
    enrolment, evaluation) with environment `env` (the whole environment: start from
    os.environ). The gateway is told the services' URLs. With `log_dir`, each process writes
    its output to <log_dir>/<name>.log; otherwise it shares this process's terminal.
    `routes` names services the gateway reaches at another URL. Does not wait for readiness:
    call `wait_ready()`."""
    unknown = set(ports) - set(ORDER)
    if unknown:
        raise StackError(f"unknown processes: {', '.join(sorted(unknown))}")
    names = [n for n in ORDER if n in ports]
    problems = missing_parts(names, apps)
    if problems:
        raise StackError("cannot start: " + "; ".join(problems))
    stack = Stack(dict(env), dict(ports), host, dict(apps), log_dir, python, cwd)
    stack.routes = dict(routes or {})
    try:
        for name in names:
            stack.start_process(name)
    except BaseException:
        stack.stop()
        raise
    return stack
