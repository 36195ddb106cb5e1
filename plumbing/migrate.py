"""Migrations: one alembic environment per process under migrations/<service>/.

    python -m plumbing.migrate <service> [upgrade|downgrade] [revision]
    python -m plumbing.migrate <service> revision "what changed"

creates the PostgreSQL database if it is missing, then runs alembic. Used by `make run`,
the tests and production deploys alike.
"""

from __future__ import annotations

import asyncio
import sys
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from plumbing.settings import REPO_ROOT, CommonSettings, database_url

SERVICES = ("gateway", "institutions", "enrolment", "evaluation")


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations" / service))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["service"] = service
    cfg.attributes["url"] = url
    return cfg


@cache
def head_revision(service: str) -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations" / service))
    return ScriptDirectory.from_config(cfg).get_current_head()


async def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in url if it does not exist (SQLite: nothing)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    import asyncpg  # only needed for PostgreSQL

    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def upgrade(service: str, url: str, revision: str = "head") -> None:
    asyncio.run(ensure_database(url))
    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service, url), revision)


def draft_revision(service: str, url: str, message: str) -> str:
    """Bring the database to head, then let autogenerate draft the next migration (to be
    read and edited by hand). Returns the new revision id."""
    upgrade(service, url)
    head = head_revision(service)
    number = int(head.rsplit("_", 1)[-1]) + 1 if head else 1
    rev_id = f"{service}_{number:04d}"
    command.revision(
        alembic_config(service, url), message=message, autogenerate=True, rev_id=rev_id
    )
    return rev_id


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in (*SERVICES, "all"):
        print(  # a CLI: its usage goes to the terminal
            "usage: python -m plumbing.migrate"
            f" <{'|'.join(SERVICES)}|all> [upgrade|downgrade] [rev]"
        )
        return 2
    action = argv[1] if len(argv) > 1 else "upgrade"
    services = SERVICES if argv[0] == "all" else (argv[0],)
    settings = CommonSettings()
    for service in services:
        url = database_url(service, settings.var_dir)
        if action == "upgrade":
            upgrade(service, url, argv[2] if len(argv) > 2 else "head")
        elif action == "revision" and len(argv) > 2 and argv[0] != "all":
            draft_revision(service, url, argv[2])
        elif action == "downgrade":
            downgrade(service, url, argv[2] if len(argv) > 2 else "base")
        else:
            print(f"unknown action {action}")
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
