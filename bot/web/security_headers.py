"""Security headers on every response: a CSP without inline scripts, no framing except the widget.

A pure ASGI middleware (no response buffering), so streamed downloads and the webhooks pay
nothing but a few header lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages a portal may frame: the chat widget.
FRAMEABLE_PREFIXES = ("/chat",)
# FastAPI's interactive API docs load their scripts from a CDN; they are a developer tool, not a
# page citizens or staff use, so they keep FastAPI's defaults instead of a CSP that would blank them.
DOC_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")

_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)


def content_security_policy(frame_ancestors: Iterable[str]) -> str:
    return "; ".join((*_POLICY, "frame-ancestors " + " ".join(frame_ancestors)))


class SecurityHeaders:
    """Adds CSP, framing, sniffing and referrer headers to every HTTP response."""

    def __init__(self, app: ASGIApp, widget_origins: Iterable[str] = ()) -> None:
        self.app = app
        self._strict = content_security_policy(["'none'"])
        self._widget = content_security_policy(["'self'", *widget_origins])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in DOC_PATHS:
            await self.app(scope, receive, send)
            return
        frameable = scope["path"].startswith(FRAMEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self._widget if frameable else self._strict
                if not frameable:  # old browsers without frame-ancestors
                    headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
            await send(message)

        await self.app(scope, receive, send_with_headers)
