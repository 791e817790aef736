"""The staff console at /admin: one HTML shell and ES modules that call the staff API.

The console holds no state of its own on the server. It signs in through ``POST /admin/api/login``
and keeps the Bearer token in the tab's sessionStorage: nothing is sent automatically by the
browser (no cookie), so cross-site requests cannot act for a signed-in staff member, and the
token ends with the tab or after ``HOIDAP_ADMIN_TOKEN_MINUTES``, whichever comes first.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

ASSETS_URL = "/admin/assets"
router = APIRouter(include_in_schema=False)
_SHELL = resources.files("admin_api.console").joinpath("assets/index.html").read_text("utf-8")


def assets_dir() -> Path:
    return Path(str(resources.files("admin_api.console") / "assets"))


@router.get("/admin", response_class=HTMLResponse)
@router.get("/admin/", response_class=HTMLResponse)
def console() -> HTMLResponse:
    # The shell must not be cached across deployments: its module URLs name this release's code.
    return HTMLResponse(_SHELL, headers={"Cache-Control": "no-cache"})
