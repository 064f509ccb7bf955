"""The FastAPI application: the JSON API under /api/v1 and the server-rendered pages under /."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from importlib import import_module

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.client import Client

from api import pages
from api.headers import SecurityHeaders
from api.limits import BodyLimit
from api.ratelimit import RateLimiter
from api.routes import auth, cases, documents, sops, tasks
from api.routes import survey as survey_routes
from api.routes import dashboard as dashboard_routes, exports
from api.errors import ApiError, BUSY, retry_later
from core.config import Settings, get_settings
from core.db import engine_for, loop_guard
from core.forms import indonesian
from core.temporal import connect
from workflows import REGISTRY

log = logging.getLogger(__name__)


def temporal_connector(settings: Settings, client: Client | None) -> Callable[[], Awaitable[Client]]:
    """Connects on first use: lists and case pages keep working while Temporal is down."""
    lock = asyncio.Lock()
    holder: list[Client] = [client] if client else []

    async def get() -> Client:
        async with lock:
            if not holder:
                try:
                    holder.append(await connect(settings))
                except Exception as error:
                    log.warning("Temporal unreachable at %s: %s", settings.temporal_address, error)
                    raise retry_later("Layanan alur kerja sedang tidak tersedia; coba lagi sebentar lagi") from None
            return holder[0]

    return get


async def api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse({"detail": error.detail}, status_code=error.status, headers=error.headers)


async def pool_exhausted(request: Request, error: Exception) -> JSONResponse:
    log.warning("database pool exhausted: %s", error)
    return await api_error(request, retry_later(BUSY))


class EventLoopGuard:
    """Marks every request so that a database call made on the event loop is caught (core.db.loop_guard)."""

    def __init__(self, app: ASGIApp, mode: str) -> None:
        self.app, self.mode = app, mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = loop_guard.set(self.mode)  # type: ignore[arg-type]
        try:
            await self.app(scope, receive, send)
        finally:
            loop_guard.reset(token)


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    detail = [{"loc": list(e["loc"]), "msg": indonesian(e), "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def sop_routers(modules: list[str]) -> list[APIRouter]:
    return [import_module(name).router for name in modules]


def create_app(settings: Settings | None = None, temporal_client: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    # The interactive docs are for developers: off in production (the schema stays at /api/v1/openapi.json).
    app = FastAPI(title="Alur", version="0.1.0", description="SOP layanan UMKM Dinas sebagai alur kerja Temporal",
                  docs_url=None if settings.env == "production" else "/docs", redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.settings = settings
    app.state.engine = engine_for(settings.database_url)
    app.state.temporal = temporal_connector(settings, temporal_client)
    # Cases started without an account, per client address and hour (counted in the database: every process).
    app.state.public_starts = RateLimiter(app.state.engine, "public_start", settings.public_starts_per_hour, 3600)
    api = APIRouter(prefix="/api/v1")
    for router in [*sop_routers(REGISTRY.api_routes()), auth.router, sops.router, cases.router, tasks.router,
                   documents.router, survey_routes.router, dashboard_routes.router, exports.router]:
        api.include_router(router)
    app.include_router(api)
    for router in [*sop_routers(REGISTRY.pages()), *pages.GENERIC_ROUTERS]:  # an SOP's own page first
        app.include_router(router)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_middleware(EventLoopGuard, mode="log" if settings.env == "production" else "raise")
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.base_url.startswith("https://"))  # outermost: errors too
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.main:app` builds the app on demand, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
