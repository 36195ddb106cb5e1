"""The enrolment process (port 8002): profiles, requests, offerings, orders, claims, funds."""

from __future__ import annotations

from fastapi import FastAPI

from plumbing.app import build_service_app
from plumbing.crypto import PersonalDataCipher
from plumbing.settings import database_url
from services.enrolment.audit.router import router as audit_router
from services.enrolment.audit.service import adopt_existing
from services.enrolment.claims.router import router as claims_router
from services.enrolment.config import Settings
from services.enrolment.demand.router import router as demand_router
from services.enrolment.learning.router import router as learning_router
from services.enrolment.ledger.router import router as ledger_router
from services.enrolment.ledger.service import seed_demo_funds
from services.enrolment.notifications.router import router as notifications_router
from services.enrolment.offerings.router import router as offerings_router
from services.enrolment.orders.router import router as orders_router
from services.enrolment.stats.router import router as stats_router
from services.enrolment.workers.router import router as workers_router
from services.enrolment.workers.service import backfill_phone_hashes


def create_app(settings: Settings | None = None, db_url: str | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_production()

    async def startup(app: FastAPI) -> None:
        async with app.state.sessionmaker() as session:
            await adopt_existing(session, settings.audit_key)
        async with app.state.sessionmaker() as session:
            await backfill_phone_hashes(session, app.state.cipher)
        if settings.demo:
            async with app.state.sessionmaker() as session:
                await seed_demo_funds(session, settings.audit_key)

    app = build_service_app(
        service="enrolment",
        title="Jineng enrolment service",
        settings=settings,
        db_url=db_url or database_url("enrolment", settings.var_dir),
        routers=[
            workers_router,
            notifications_router,
            demand_router,
            offerings_router,
            orders_router,
            claims_router,
            learning_router,
            ledger_router,
            stats_router,
            audit_router,
        ],
        on_startup=startup,
    )
    app.state.cipher = PersonalDataCipher(settings.data_keys, settings.hash_key)
    return app
