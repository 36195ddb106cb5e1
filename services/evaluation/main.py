"""The evaluation service process (port 8003)."""

from __future__ import annotations

from fastapi import FastAPI

from plumbing.app import build_service_app
from plumbing.crypto import PersonalDataCipher
from plumbing.settings import database_url
from services.evaluation.body.router import router as bodies_router
from services.evaluation.catalogue.router import router as catalogue_router
from services.evaluation.catalogue.seed import seed_catalogue
from services.evaluation.certificate.router import router as certificates_router
from services.evaluation.config import Settings
from services.evaluation.demo import seed_demo_data
from services.evaluation.entitlement.router import router as entitlements_router
from services.evaluation.result.router import candidates_router
from services.evaluation.result.router import router as results_router
from services.evaluation.session.router import router as sessions_router


def create_app(settings: Settings | None = None, db_url: str | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_production()

    async def startup(app: FastAPI) -> None:
        async with app.state.sessionmaker() as session:
            await seed_catalogue(session)
            if settings.demo:
                await seed_demo_data(session)

    app = build_service_app(
        service="evaluation",
        title="Jineng evaluation service",
        settings=settings,
        db_url=db_url or database_url("evaluation", settings.var_dir),
        routers=[
            catalogue_router,
            bodies_router,
            sessions_router,
            results_router,
            candidates_router,
            certificates_router,
            entitlements_router,
        ],
        on_startup=startup,
    )
    app.state.cipher = PersonalDataCipher(settings.data_keys, settings.hash_key)
    return app
