"""The FastAPI application behind `hoidap serve`: chat API, chat page, health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from telegram.error import TelegramError

from admin_api.console import ASSETS_URL as CONSOLE_ASSETS_URL
from admin_api.console import assets_dir as console_assets_dir
from admin_api.console import router as console_router
from admin_api.router import concurrent_change
from admin_api.router import router as admin_router
from bot.telegram.application import TelegramChannel
from bot.telegram.webhook import router as telegram_router
from bot.web.chat_pages import router as chat_pages_router
from bot.web.chat_routes import router as chat_router
from bot.web.health_routes import router as health_router
from bot.web.public_pages import router as public_router
from bot.web.request_ids import RequestIds
from bot.web.security_headers import SecurityHeaders
from bot.zalo.channel import ZaloChannel
from bot.zalo.webhook import router as zalo_router
from core.channel import ChannelServices
from core.db.outage import UNREACHABLE
from core.faq_versions import StaleVersionError
from core.index_watch import IndexWatcher, watch_published
from core.log_redaction import drop_access_log_queries
from core.retention import purge_expired
from core.runtime import Runtime, start_runtime
from core.settings import Settings

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 6 * 3600


async def _purge_periodically(settings: Settings, runtime: Runtime) -> None:
    """Keep the retention promise of the privacy notice: purge at start-up, then every few hours."""
    while True:
        try:
            report = await asyncio.to_thread(purge_expired, runtime.engine, settings.retention_days)
            if report.interactions:
                log.info("retention: purged %d interactions", report.interactions)
        except SQLAlchemyError:
            log.exception("retention purge failed; will retry")
        await asyncio.sleep(PURGE_EVERY_SECONDS)


DATABASE_UNAVAILABLE = "Hệ thống đang tạm gián đoạn kết nối dữ liệu. Mong bạn thử lại sau ít phút."


def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """What needs the database while it is unreachable gets 503 with a retry hint, not a 500.
    Citizens' questions do not come here: they are answered from the index and their logs are
    spooled (core/spool.py, core/consent.py); staff work waits for the database."""
    log.warning("database unavailable for %s (%s)", request.url.path, type(exc).__name__)
    return JSONResponse({"detail": DATABASE_UNAVAILABLE}, status_code=503, headers={"Retry-After": "5"})


async def _flush_spool_periodically(settings: Settings, runtime: Runtime) -> None:
    """Store what was spooled while the database was unreachable, as soon as it answers."""
    while True:
        try:
            await asyncio.to_thread(runtime.service.log.flush_spool)
        except SQLAlchemyError as exc:
            log.warning("spool: database still unavailable (%s); will retry", type(exc).__name__)
        except OSError:
            log.exception("spool: cannot read or rename its files; will retry")
        await asyncio.sleep(settings.spool_retry_seconds)


async def _start_telegram(settings: Settings, services: ChannelServices) -> TelegramChannel | None:
    """Telegram runs inside the app when a token is set: webhook if a public URL is, else polling."""
    if settings.telegram_token is None:
        return None
    channel = TelegramChannel(settings, services)
    try:
        await channel.start()
    except TelegramError as exc:  # the web chat keeps serving; the operator sees why Telegram is off
        log.error("Telegram did not start (%s: %s); the web chat runs without it", type(exc).__name__, exc)
        await channel.stop()
        return None
    return channel


async def _start_zalo(settings: Settings, services: ChannelServices) -> ZaloChannel | None:
    """Zalo runs when the OA's app id and secrets are set (webhook only: Zalo has no polling)."""
    if not settings.zalo_enabled:
        return None
    channel = ZaloChannel(settings, services)
    await channel.start()
    return channel


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; the runtime (model, index, database) starts with the lifespan unless given.
    An app that starts its own runtime also follows what other workers on the same database
    publish (core/index_watch.py); a given runtime is the caller's to keep current."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        drop_access_log_queries()  # after the server has configured its loggers
        app.state.runtime = runtime or start_runtime(settings)
        housekeeping = [
            asyncio.create_task(_purge_periodically(settings, app.state.runtime)),
            asyncio.create_task(_flush_spool_periodically(settings, app.state.runtime)),
        ]
        if runtime is None:  # an app that owns its runtime follows what other workers publish
            watcher = IndexWatcher(app.state.runtime, settings.index_build_grace_seconds)
            housekeeping.append(asyncio.create_task(watch_published(watcher, settings.index_poll_seconds)))
        # One set for every chat channel: above all one answer pool, so the channels together
        # never run more model calls at once than it allows.
        services = ChannelServices.from_runtime(app.state.runtime)
        app.state.channel_services = services  # the web chat holds the same conversation
        app.state.telegram = await _start_telegram(settings, services)
        app.state.zalo = await _start_zalo(settings, services)
        try:
            yield
        finally:
            for task in housekeeping:
                task.cancel()
            if app.state.telegram is not None:
                await app.state.telegram.stop()
            if app.state.zalo is not None:
                await app.state.zalo.stop()
            services.close()
            app.state.runtime.engine.dispose()

    app = FastAPI(title="Hỏi đáp TTHC", version="0.1.0", lifespan=lifespan)
    app.include_router(chat_router)
    app.include_router(telegram_router)
    app.include_router(zalo_router)
    app.include_router(admin_router)
    app.include_router(console_router)
    app.include_router(public_router)
    app.include_router(chat_pages_router)
    app.include_router(health_router)
    # Every asset is served by the app itself: intranets are often offline or filtered.
    app.mount("/assets", StaticFiles(directory=str(resources.files("bot.web") / "assets")), name="assets")
    app.mount(CONSOLE_ASSETS_URL, StaticFiles(directory=console_assets_dir()), name="console-assets")
    app.add_middleware(SecurityHeaders, widget_origins=settings.widget_origins)
    app.add_middleware(RequestIds)  # outermost: the id covers every other middleware's logs too
    for race in (IntegrityError, StaleVersionError):
        app.add_exception_handler(race, concurrent_change)
    for outage in UNREACHABLE:
        app.add_exception_handler(outage, database_unavailable)

    return app


def app_from_environment() -> FastAPI:
    """The app of one worker started by `hoidap serve --workers N` (settings from the environment)."""
    return create_app(Settings())
