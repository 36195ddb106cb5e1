"""python -m scripts.consistency [--url DATABASE=URL ...]: the JSON report, exit 0 when
consistent, 1 with findings, 2 when a database cannot be read."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from scripts.consistency.checks import run
from scripts.consistency.snapshot import DATABASES, configured_urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.consistency",
        description="Compare what the services hold about each other.",
    )
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="DATABASE=URL",
        help="read this database (gateway, institutions, enrolment, evaluation) at URL "
        "instead of the configured one",
    )
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.url)
    unknown = set(overrides) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    try:
        result = asyncio.run(run(configured_urls(overrides)))
    except Exception as exc:  # a database that cannot be read is not a finding
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0 if result["consistent"] else 1


if __name__ == "__main__":
    sys.exit(main())
