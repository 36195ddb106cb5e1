"""The expiry sweep as a command, for cron next to a running deployment:

    python -m services.enrolment.sweep

Same effect as POST /v1/orders/expire (orders/expiry.py); the actor recorded on each
expired order is the sweep itself (admin id 0)."""

from __future__ import annotations

import asyncio
import json

from plumbing.db import make_engine, make_sessionmaker
from plumbing.principal import Principal
from plumbing.settings import database_url
from services.enrolment.config import Settings
from services.enrolment.orders.expiry import sweep
from services.enrolment.orders.schemas import SweepResult

SWEEPER = Principal(id=0, role="admin", username="expiry-sweep")


async def run_sweep(url: str, settings: Settings) -> SweepResult:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await sweep(
                session, SWEEPER, settings.order_accept_days, settings.request_open_days
            )
    finally:
        await engine.dispose()


def main() -> None:
    settings = Settings()
    result = asyncio.run(run_sweep(database_url("enrolment", settings.var_dir), settings))
    print(json.dumps(result.model_dump()))


if __name__ == "__main__":
    main()
