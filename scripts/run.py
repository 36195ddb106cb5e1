"""`make run`: migrate the four databases, start the four processes, wait until they are ready.

    python -m scripts.run

Demo mode is on unless JINENG_DEMO says otherwise, and refused when JINENG_ENV=production.
Host and ports: JINENG_HOST (127.0.0.1), JINENG_GATEWAY_PORT (8000),
JINENG_INSTITUTIONS_PORT (8001), JINENG_ENROLMENT_PORT (8002), JINENG_EVALUATION_PORT (8003).
Ctrl-C or SIGTERM stops all four; if one dies, the others are stopped and the exit is 1.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from plumbing.migrate import SERVICES, upgrade
from plumbing.settings import CommonSettings, database_url
from scripts.launch import (
    DEFAULT_PORTS,
    ORDER,
    Stack,
    StackError,
    missing_parts,
    ports_in_use,
    start_stack,
)

__all__ = ["Stack", "StackError", "main", "start_stack"]

DEMO_ACCOUNTS = (
    ("city-officer", "government, whole city"),
    ("rencheng-officer", "government, unit rencheng only"),
    ("finance-officer", "finance"),
    ("finance-officer-2", "finance"),
    ("evaluator", "a demo evaluation body"),
)


def say(*lines: str, err: bool = False) -> None:
    # A CLI: its messages are for the person at the terminal, not the JSON request log.
    print("\n".join(lines), file=sys.stderr if err else sys.stdout, flush=True)


def configured_ports() -> dict[str, int]:
    """Ports from JINENG_<NAME>_PORT, else the defaults (8000-8003)."""
    ports = {}
    for name in ORDER:
        raw = os.environ.get(f"JINENG_{name.upper()}_PORT", str(DEFAULT_PORTS[name]))
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise ValueError(f"JINENG_{name.upper()}_PORT={raw!r} is not a port number")
        ports[name] = int(raw)
    if len(set(ports.values())) != len(ports):
        raise ValueError(f"two processes cannot share a port: {ports}")
    return ports


def banner(stack: Stack, settings: CommonSettings, db_urls: dict[str, str]) -> list[str]:
    gateway = stack.urls["gateway"]
    lines = [
        "",
        f"Jineng is running{' in demo mode' if settings.demo else ''}.",
        f"  public API     {gateway}/api/v1",
        f"  API docs       {gateway}/docs",
    ]
    for name in ORDER[:-1]:
        lines.append(f"  {name:<14} {stack.urls[name]}  (internal: gateway only)")
    if all(url.startswith("sqlite") for url in db_urls.values()):
        lines.append(f"  data           {settings.var_dir} (SQLite files)")
    else:
        for name, url in db_urls.items():
            lines.append(f"  {name + ' db':<14} {make_url(url).render_as_string()}")
    if settings.demo:
        password = os.environ.get("JINENG_DEMO_PASSWORD", "jineng-demo")
        lines.append(f"  demo staff     password {password}:")
        lines += [f"    {user:<18} {role}" for user, role in DEMO_ACCOUNTS]
        lines.append(
            '  demo WeChat    POST /api/v1/auth/wechat {"code": "demo:<openid>"} (any openid)'
        )
    lines += ["Ctrl-C stops everything.", ""]
    return lines


def main() -> int:
    os.environ.setdefault("JINENG_DEMO", "1")
    try:
        settings = CommonSettings()
        ports = configured_ports()
    except (ValidationError, ValueError) as exc:
        say(f"make run: bad setting: {exc}", err=True)
        return 2
    if settings.env == "production" and settings.demo:
        say(
            "make run: refusing demo mode with JINENG_ENV=production (demo accounts and the"
            " demo WeChat provider must never reach production). Set JINENG_DEMO=0 or"
            " JINENG_ENV=development.",
            err=True,
        )
        return 2
    # Every process must agree on the var/ directory whatever the launcher's cwd.
    os.environ["JINENG_VAR_DIR"] = str(settings.var_dir.resolve())
    host = os.environ.get("JINENG_HOST", "127.0.0.1")

    problems = missing_parts(ORDER)
    if problems:
        say("make run: cannot start:", *(f"  - {p}" for p in problems), err=True)
        return 1
    busy = ports_in_use(host, ports)
    if busy:
        say(
            f"make run: port already in use: {', '.join(busy)} — stop the other server or set"
            " JINENG_<NAME>_PORT.",
            err=True,
        )
        return 1

    db_urls = {svc: database_url(svc, settings.var_dir) for svc in SERVICES}
    for svc, url in db_urls.items():
        say(f"migrating {svc}: {make_url(url).render_as_string()}")
        try:
            upgrade(svc, url)
        except Exception as exc:  # any failure: report it plainly and stop
            say(f"make run: migrating {svc} failed: {type(exc).__name__}: {exc}", err=True)
            return 1

    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    stack = start_stack(dict(os.environ), ports, host)
    try:
        stack.wait_ready(float(os.environ.get("JINENG_READY_TIMEOUT", "60")), cancel=stopping)
    except StackError as exc:
        stack.stop()
        if stopping.is_set():
            say("stopped.")
            return 0
        say(f"make run: {exc}", err=True)
        return 1
    say(*banner(stack, settings, db_urls))

    while not stopping.wait(0.5):
        dead = stack.dead()
        if dead is not None:
            say(f"make run: {stack.describe_death(dead)}; stopping the others.", err=True)
            stack.stop()
            return 1
    codes = stack.stop()
    say("stopped: " + ", ".join(f"{name} ({code})" for name, code in codes.items()))
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:  # Ctrl-C before the processes started (e.g. while migrating)
        raise SystemExit(130) from None
