"""`python -m services.enrolment.audit verify`: check the chain of the configured database;
exit 0 when it verifies, 1 with the first broken entry otherwise."""

from __future__ import annotations

import asyncio
import json
import sys

from plumbing.db import make_engine, make_sessionmaker
from plumbing.settings import database_url
from services.enrolment.audit.service import verify
from services.enrolment.config import Settings


async def _verify(url: str, key: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            report = await verify(session, key)
    finally:
        await engine.dispose()
    broken = report.first_broken
    print(
        json.dumps(
            {
                "ok": report.ok,
                "checked": report.checked,
                "first_broken": broken and broken.__dict__,
            },
            ensure_ascii=False,
        )
    )
    return 0 if report.ok else 1


def main(argv: list[str]) -> int:
    if argv[:1] != ["verify"]:
        print("usage: python -m services.enrolment.audit verify [database-url]", file=sys.stderr)
        return 2
    settings = Settings()
    url = argv[1] if len(argv) > 1 else database_url("enrolment", settings.var_dir)
    return asyncio.run(_verify(url, settings.audit_key))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
