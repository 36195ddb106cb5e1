"""The evaluation service process (port 8003)."""

from __future__ import annotations

from fastapi import FastAPI

from plumbing.app import build_service_app
from plumbing.settings import database_url
from services.evaluation.body.router import router as bodies_router
from services.evaluation.certificate.router import router as certificates_router
from services.evaluation.config import Settings
from services.evaluation.demo import seed_demo_data
from services.evaluation.result.router import router as results_router


def create_app(settings: Settings | None = None, db_url: str | None = None) -> FastAPI:
    settings = settings or Settings()

    async def startup(app: FastAPI) -> None:
        if settings.demo:
            async with app.state.sessionmaker() as session:
                await seed_demo_data(session)

    return build_service_app(
        service="evaluation",
        title="Jineng evaluation service",
        settings=settings,
        db_url=db_url or database_url("evaluation", settings.var_dir),
        routers=[bodies_router, results_router, certificates_router],
        on_startup=startup,
    )
