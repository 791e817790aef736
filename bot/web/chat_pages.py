"""The citizens' chat pages: `/` and the framable widget page `/chat`."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
_PAGE = resources.files("bot.web").joinpath("assets/chat.html").read_text("utf-8")


@router.get("/", response_class=HTMLResponse)
def chat_page() -> str:
    return _PAGE
