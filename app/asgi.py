"""The one place the application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
import warnings
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from app.config import Settings, get_settings
from app.db import Database
from app.db.migrate import check_schema
from app.domain.auth.ratelimit import FailedLoginLimiter
from app.domain.auth.tokens import build_jwt_auth
from app.lib.http_errors import exception_handlers
from app.lib.logging import configure_logging, get_logger
from app.routes import collect_route_handlers

__all__ = ["ROOT", "create_app"]

ROOT = Path(__file__).resolve().parent.parent
log = get_logger(__name__)


def _build_channels(settings: Settings) -> ChannelsPlugin:
    # A fresh backend per app: reusing a Redis pub/sub backend across two app lifespans fails on
    # Litestar 2.x, and the memory backend must not leak subscribers between test apps.
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


def _provide_db(state: State) -> Database:
    return state.db


def create_app(settings: Settings | None = None, *, check_migrations: bool = True) -> Litestar:
    """Build the Litestar app for ``settings`` (read from the environment by default).

    With ``check_migrations`` the app refuses to start on a database that is not at the current
    schema revision, naming the command that fixes it.
    """
    settings = settings or get_settings()
    # Litestar's check reads the exclude pattern as matching every route; it leaves /api protected.
    warnings.filterwarnings("ignore", message=".*greedily matches all paths.*")
    configure_logging(settings.log_level)
    database = Database(settings)
    jwt_auth = build_jwt_auth(settings)
    channels = _build_channels(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if check_migrations:
            await check_schema(database.read_engine)
        log.info("server started", database=settings.database_url.split("@")[-1], channels=type(channels._backend).__name__)
        from app.domain.outbound.scheduler import outbound_scheduler

        try:
            async with outbound_scheduler(database, base_url=settings.starshipit_base_url, channels=channels):
                yield
        finally:
            await database.dispose()
            log.info("server stopped")

    state = State(
        {
            "settings": settings,
            "db": database,
            "jwt_auth": jwt_auth,
            "channels": channels,
            "login_limiter": FailedLoginLimiter(settings.pin_attempts, settings.pin_window_seconds),
        }
    )
    static_dirs = [
        create_static_files_router(path="/static", directories=[ROOT / "static"], name="static", include_in_schema=False),
        create_static_files_router(path="/pwa", directories=[ROOT / "pwa"], name="pwa", include_in_schema=False),
    ]
    return Litestar(
        debug=settings.log_level == "DEBUG",
        route_handlers=[*collect_route_handlers(), *static_dirs],
        state=state,
        lifespan=[lifespan],
        dependencies={"db": Provide(_provide_db, sync_to_thread=False)},
        plugins=[channels],
        on_app_init=[jwt_auth.on_app_init],
        exception_handlers=exception_handlers,
        template_config=TemplateConfig(directory=ROOT / "templates", engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(title="WMS for Starshipit", version="0.1.0", path="/schema"),
        cors_config=CORSConfig(allow_origins=[]),
        request_max_body_size=10 * 1024 * 1024,
    )
