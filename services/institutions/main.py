"""The institutions process (port 8001): institutions, training catalogues, units."""

from __future__ import annotations

from fastapi import FastAPI

from plumbing.app import build_service_app
from plumbing.settings import database_url
from services.institutions.catalogue.router import router as catalogue_router
from services.institutions.config import Settings
from services.institutions.institution.router import router as institution_router
from services.institutions.reporting.router import router as reporting_router
from services.institutions.seed import seed_demo_data, seed_reference_data
from services.institutions.supervision.router import router as supervision_router


def create_app(settings: Settings | None = None, db_url: str | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_production()

    async def startup(app: FastAPI) -> None:
        async with app.state.sessionmaker() as session:
            await seed_reference_data(session, settings.catalogue_csv)
            if settings.demo:
                await seed_demo_data(session)

    return build_service_app(
        service="institutions",
        title="Jineng institutions service",
        settings=settings,
        db_url=db_url or database_url("institutions", settings.var_dir),
        routers=[institution_router, catalogue_router, supervision_router, reporting_router],
        on_startup=startup,
    )
