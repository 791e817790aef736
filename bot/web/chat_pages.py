"""The citizens' chat pages: `/` (full page), `/chat` (the page a portal frames; `?embed=1` for
the compact layout), `/chat/embed.js` (the one-line embed) and `/chat/nhung-thu` (a demo portal
page using it). Only paths under /chat may be framed (bot/web/security_headers.py).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.templating import render

router = APIRouter(include_in_schema=False)
GET = ["GET", "HEAD"]
_ASSETS = resources.files("bot.web") / "assets"
_EMBED_JS = (_ASSETS / "embed.js").read_bytes()
# Asset URLs carry a digest of their content: a deployment's new script is never mixed with a
# cached old page or the other way round, and the files can be cached without revalidation.
ASSET_VERSION = hashlib.sha256(
    (_ASSETS / "chat.js").read_bytes() + (_ASSETS / "chat.css").read_bytes()
).hexdigest()[:10]
PAGE_HEADERS = {"Cache-Control": "no-cache"}


def _page(request: Request, embed: bool) -> HTMLResponse:
    settings = request.app.state.runtime.settings
    context: dict[str, Any] = {
        "embed": embed,
        "version": ASSET_VERSION,
        "center": settings.service_center_name,
    }
    return render("chat/chat.html", context, headers=PAGE_HEADERS)


@router.api_route("/", methods=GET, response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    return _page(request, embed=False)


@router.api_route("/chat", methods=GET, response_class=HTMLResponse)
def widget_page(request: Request, embed: Annotated[bool, Query()] = False) -> HTMLResponse:
    return _page(request, embed)


@router.api_route("/chat/embed.js", methods=GET)
def embed_script() -> Response:
    # Portals include it on every page: cached for an hour, revalidated after.
    headers = {"Cache-Control": "public, max-age=3600"}
    return Response(_EMBED_JS, media_type="text/javascript; charset=utf-8", headers=headers)


@router.api_route("/chat/nhung-thu", methods=GET, response_class=HTMLResponse)
def embed_demo(request: Request) -> HTMLResponse:
    """A stand-in portal page showing the one-line snippet at work (for trying it out)."""
    base = str(request.base_url).rstrip("/")
    snippet = f'<script src="{base}/chat/embed.js" defer></script>'
    context = {"snippet": snippet, "base": base, "version": ASSET_VERSION}
    return render("chat/embed_demo.html", context, headers=PAGE_HEADERS)
