"""The gateway process: public API under /api/v1."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from gateway.accounts.router import router as auth_router
from gateway.accounts.service import seed_demo_accounts
from gateway.accounts.wechat import DemoWeChatProvider, MiniProgramProvider, WeChatProvider
from gateway.bodylimit import BodyLimitMiddleware
from gateway.clients import Downstream, UpstreamProblem
from gateway.config import Settings
from gateway.flow import (
    alerts,
    catalogue,
    claim_review,
    demand,
    evaluation,
    evaluation_admin,
    evaluation_sessions,
    fund_reports,
    institutions,
    monthly_reports,
    offerings,
    orders,
    payments,
    quota_progress,
    supervision,
    training,
    workers,
)
from gateway.problems import Problem, add_body_limit
from plumbing.app import build_service_app
from plumbing.errors import PROBLEM_JSON
from plumbing.settings import database_url

DESCRIPTION = """
The back end of Jining's subsidised vocational-training programme: the five-order flow
(request → listing → selection → acceptance → payment).

Every error is `application/problem+json` with a stable `code`; titles are Chinese unless
`Accept-Language: en`. Money is integer fen (`*_fen`), dates ISO `YYYY-MM-DD`.
"""


def create_app(settings: Settings | None = None, db_url: str | None = None) -> FastAPI:
    settings = settings or Settings()
    # Refuse before anything binds a port (the lifespan checks again for the services' sake).
    settings.check_production()

    async def startup(app: FastAPI) -> None:
        app.state.downstream = Downstream(settings)
        provider: WeChatProvider
        if settings.wechat_provider == "demo":
            provider = DemoWeChatProvider()
        else:
            app.state.wechat_http = httpx.AsyncClient(
                base_url=settings.wechat_api_base, timeout=httpx.Timeout(5.0, connect=2.0)
            )
            provider = MiniProgramProvider(
                app.state.wechat_http,
                settings.wechat_app_id,
                settings.wechat_app_secret.get_secret_value(),
            )
        app.state.wechat = provider
        if settings.demo:
            async with app.state.sessionmaker() as session:
                await seed_demo_accounts(session, settings.demo_password.get_secret_value())

    async def shutdown(app: FastAPI) -> None:
        await app.state.downstream.aclose()
        if hasattr(app.state, "wechat_http"):
            await app.state.wechat_http.aclose()

    app = build_service_app(
        service="gateway",
        title="Jineng API",
        version="1.0.0",
        description=DESCRIPTION,
        settings=settings,
        db_url=db_url or database_url("gateway", settings.var_dir),
        routers=[
            auth_router,
            workers.router,
            institutions.router,
            catalogue.router,
            supervision.router,
            offerings.router,
            orders.router,
            training.router,
            demand.router,
            payments.router,
            evaluation.router,
            evaluation_admin.router,
            evaluation_sessions.router,
            claim_review.router,
            fund_reports.router,
            quota_progress.router,
            monthly_reports.router,
            alerts.router,
        ],
        on_startup=startup,
        on_shutdown=shutdown,
        internal=False,
    )

    async def upstream_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, UpstreamProblem)
        return JSONResponse(
            exc.body, status_code=exc.status, media_type=PROBLEM_JSON, headers=exc.headers or None
        )

    app.add_exception_handler(UpstreamProblem, upstream_problem)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            add_body_limit(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
