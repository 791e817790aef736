"""An ASGI app on a real loopback port, in a thread: our app and the fake channel servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from tests.polling import until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: ASGIApp, timeout: float = 20.0, **config: Any) -> Iterator[str]:
    """Run ``app`` until the block ends; yields its base URL (http://127.0.0.1:<port>).
    ``config`` overrides uvicorn's settings (a test of the access log wants ``log_level="info"``)."""
    port = free_port()
    settings = {"host": "127.0.0.1", "port": port, "log_level": "warning", **config}
    server = uvicorn.Server(uvicorn.Config(app, **settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    until(lambda: server.started, timeout, every=0.02)
    try:
        assert server.started, "server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
