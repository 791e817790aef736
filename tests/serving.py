"""Our FastAPI app on a real loopback port, in a thread, for tests and benchmarks."""

from __future__ import annotations

import threading
import time

import uvicorn

from bot.web.app import create_app
from core.runtime import Runtime
from core.settings import Settings
from tests.fakes.telegram_api import free_port


def serve_app(settings: Settings, runtime: Runtime) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    config = uvicorn.Config(create_app(settings, runtime), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "app did not start"
    return server, thread, f"http://127.0.0.1:{port}"
