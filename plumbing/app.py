"""The skeleton every process shares: error handlers, request middleware, health checks."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from plumbing.db import make_engine, make_sessionmaker
from plumbing.errors import install_error_handlers
from plumbing.logging import RequestMiddleware, configure_logging
from plumbing.migrate import head_revision, version_table
from plumbing.settings import CommonSettings

Startup = Callable[[FastAPI], Any]


def build_service_app(
    *,
    service: str,
    title: str,
    settings: CommonSettings,
    db_url: str,
    routers: list[Any],
    on_startup: Startup | None = None,
    on_shutdown: Startup | None = None,
    internal: bool = True,
    **fastapi_kwargs: Any,
) -> FastAPI:
    """Create a process's app. `internal=True` (the services) refuses calls without the
    gateway's credential; the gateway passes False."""
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.check_production()
        engine = make_engine(
            db_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        if on_startup is not None:
            await _maybe_await(on_startup(app))
        try:
            yield
        finally:
            if on_shutdown is not None:
                await _maybe_await(on_shutdown(app))
            await engine.dispose()

    app = FastAPI(title=title, lifespan=lifespan, **fastapi_kwargs)
    app.state.settings = settings
    app.state.service = service
    install_error_handlers(app)
    app.add_middleware(
        RequestMiddleware,
        service=service,
        internal_token=settings.internal_token.get_secret_value() if internal else None,
    )
    for router in routers:
        app.include_router(router)
    add_health_routes(app, service)
    return app


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


def add_health_routes(app: FastAPI, service: str) -> None:
    head = head_revision(service)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """The database is reachable and migrated to head."""
        try:
            async with request.app.state.engine.connect() as conn:
                current = (
                    await conn.execute(text(f"SELECT version_num FROM {version_table(service)}"))
                ).scalar_one_or_none()
        except Exception as exc:  # any failure to reach or read the database means not ready
            return JSONResponse(
                {"status": "unavailable", "service": service, "reason": type(exc).__name__},
                status_code=503,
            )
        if current != head:
            return JSONResponse(
                {
                    "status": "migrations_pending",
                    "service": service,
                    "current": current,
                    "head": head,
                },
                status_code=503,
            )
        return JSONResponse({"status": "ready", "service": service, "revision": current})
