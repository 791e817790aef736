"""The FastAPI application behind `hoidap serve`: chat API, chat page, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from bot.web.chat_routes import router as chat_router
from core.runtime import Runtime, start_runtime
from core.settings import Settings


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; the runtime (model, index, database) starts with the lifespan unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = runtime or start_runtime(settings)
        yield
        app.state.runtime.engine.dispose()

    app = FastAPI(title="Hỏi đáp TTHC", version="0.1.0", lifespan=lifespan)
    app.include_router(chat_router)
    page = resources.files("bot.web").joinpath("static/chat.html").read_text("utf-8")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> str:
        return page

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str | None]:
        live = app.state.runtime.live
        return {"status": "ok", "index_version": live.version}

    return app
